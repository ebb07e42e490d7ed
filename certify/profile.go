package certify

import (
	"context"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/profile"
)

// AuditOptions are base with the business's identity and declarations taken from the assistant's
// profile: its name and controller, the privacy notice's address, the retention and the region it
// declares (those the profile leaves out keep base's).
func AuditOptions(base audit.Options, p profile.Profile) audit.Options {
	base.Business = p.Business.Name
	base.Controller = p.Business.Controller
	base.PrivacyURL = p.Privacy.NoticeURL
	if p.Privacy.RetentionDays > 0 {
		base.Retention = time.Duration(p.Privacy.RetentionDays) * 24 * time.Hour
	}
	if p.Privacy.Region != "" {
		base.DataRegion = p.Privacy.Region
	}
	return base
}

// profiledEnvs starts next's environments with the auditor's options the profile gives.
type profiledEnvs struct {
	next harness.Factory
	p    profile.Profile
}

func (f profiledEnvs) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	env, err := f.next.Start(ctx, s)
	if err != nil {
		return nil, err
	}
	return profiledEnv{Environment: env, p: f.p}, nil
}

type profiledEnv struct {
	harness.Environment
	p profile.Profile
}

func (e profiledEnv) AuditOptions() audit.Options {
	return AuditOptions(e.Environment.AuditOptions(), e.p)
}

// profiledJournal audits a shared journal with the profile's options.
type profiledJournal struct {
	SharedJournal
	p profile.Profile
}

func (j profiledJournal) RunAuditOptions() audit.Options {
	return AuditOptions(j.SharedJournal.RunAuditOptions(), j.p)
}
