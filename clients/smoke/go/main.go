// Smoke flow of the Go client generated from openapi.yaml (clients/generated/go).
//
// Run by scripts/clients-smoke.sh against a live API: API_URL is its base URL, EPISODE_ID a published episode.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"os"

	md "microdrama.local/clients/go"
)

func client(token string) (*md.APIClient, context.Context) {
	cfg := md.NewConfiguration()
	cfg.Servers = md.ServerConfigurations{{URL: os.Getenv("API_URL")}}
	ctx := context.Background()
	if token != "" {
		ctx = context.WithValue(ctx, md.ContextAccessToken, token)
	}
	return md.NewAPIClient(cfg), ctx
}

func must[T any](value T, _ any, err error) T {
	if err != nil {
		if apiErr, ok := err.(*md.GenericOpenAPIError); ok {
			log.Fatalf("%v: %s", err, apiErr.Body())
		}
		log.Fatal(err)
	}
	return value
}

func main() {
	episodeID := os.Getenv("EPISODE_ID")
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	run := hex.EncodeToString(suffix)
	creatorEmail, viewerEmail := "go-creator-"+run+"@example.com", "go-viewer-"+run+"@example.com"

	anonymous, ctx := client("")
	created := must(anonymous.AuthAPI.Register(ctx).RegisterRequest(md.RegisterRequest{Email: creatorEmail, Password: "creator-pass-1", Role: md.PtrString("creator")}).Execute())
	if created.Data.User.Role != md.ROLE_CREATOR {
		log.Fatalf("registered as %s, not creator", created.Data.User.Role)
	}
	must(anonymous.AuthAPI.Register(ctx).RegisterRequest(md.RegisterRequest{Email: viewerEmail, Password: "viewer-pass-1"}).Execute())
	creatorToken := must(anonymous.AuthAPI.Login(ctx).LoginRequest(md.LoginRequest{Email: creatorEmail, Password: "creator-pass-1"}).Execute()).Data.Token
	viewerToken := must(anonymous.AuthAPI.Login(ctx).LoginRequest(md.LoginRequest{Email: viewerEmail, Password: "viewer-pass-1"}).Execute()).Data.Token

	creator, creatorCtx := client(creatorToken)
	series := must(creator.CreatorAPI.CreateSeries(creatorCtx).CreateSeriesRequest(md.CreateSeriesRequest{Title: "Go smoke " + run, Genres: []string{"smoke"}}).Execute()).Data
	if series.Status != md.SERIESSTATUS_PENDING {
		log.Fatalf("new series is %s, not pending", series.Status)
	}

	viewer, viewerCtx := client(viewerToken)
	catalogue := must(viewer.ContentAPI.ListPublishedSeries(viewerCtx).Limit(100).Execute())
	if catalogue.Meta.Total < 1 {
		log.Fatal("the published catalogue is empty")
	}
	for _, s := range catalogue.Data {
		if s.Id == series.Id {
			log.Fatal("a pending series is in the published catalogue")
		}
	}

	_, res, err := viewer.PlaybackAPI.GetPlaybackUrl(viewerCtx, episodeID).Execute()
	apiErr, ok := err.(*md.GenericOpenAPIError)
	if res == nil || res.StatusCode != 403 || !ok {
		log.Fatalf("play without a subscription: want 403, got %v (%v)", res, err)
	}
	body, ok := apiErr.Model().(md.ErrorResponse)
	if !ok || body.Error.Code != "episode_locked" {
		log.Fatalf("play without a subscription: want episode_locked, got %s", apiErr.Body())
	}
	fmt.Printf("go smoke: ok (series %s, %d published, play refused 403 episode_locked)\n", series.Id, catalogue.Meta.Total)
}
