module microdrama.local/clients/smoke

go 1.24

require microdrama.local/clients/go v0.0.0

// The client is generated into clients/generated/go by scripts/clients-smoke.sh (git-ignored).
replace microdrama.local/clients/go => ../../generated/go
