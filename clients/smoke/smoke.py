"""Smoke flow of the Python client generated from openapi.yaml (clients/generated/python).

Run by scripts/clients-smoke.sh against a live API: API_URL is its base URL, EPISODE_ID a published episode.
"""
import json
import os
import uuid

import microdrama_client as md
from microdrama_client.exceptions import ApiException

API_URL = os.environ["API_URL"]
EPISODE_ID = os.environ["EPISODE_ID"]


def client(token=None):
    return md.ApiClient(md.Configuration(host=API_URL, access_token=token))


run = uuid.uuid4().hex[:8]
auth = md.AuthApi(client())
creator_email, viewer_email = f"py-creator-{run}@example.com", f"py-viewer-{run}@example.com"
created = auth.register(md.RegisterRequest(email=creator_email, password="creator-pass-1", role="creator"))
assert created.data.user.role == md.Role.CREATOR, created
auth.register(md.RegisterRequest(email=viewer_email, password="viewer-pass-1"))
creator_token = auth.login(md.LoginRequest(email=creator_email, password="creator-pass-1")).data.token
viewer = auth.login(md.LoginRequest(email=viewer_email, password="viewer-pass-1")).data
assert viewer.user.subscription.status == md.SubscriptionStatus.NONE, viewer.user

series = md.CreatorApi(client(creator_token)).create_series(
    md.CreateSeriesRequest(title=f"Python smoke {run}", genres=["smoke"])).data
assert series.status == md.SeriesStatus.PENDING, series

catalogue = md.ContentApi(client(viewer.token)).list_published_series(limit=100)
ids = [s.id for s in catalogue.data]
assert catalogue.meta.total >= 1 and series.id not in ids, catalogue

try:
    md.PlaybackApi(client(viewer.token)).get_playback_url(EPISODE_ID)
    raise AssertionError("play without a subscription should be refused")
except ApiException as refused:
    assert refused.status == 403, refused
    assert json.loads(refused.body)["error"]["code"] == "episode_locked", refused.body

print(f"python smoke: ok (series {series.id}, {catalogue.meta.total} published, play refused 403 episode_locked)")
