package terraform_test

import (
	"strings"
	"testing"
)

// TestNoTokenSignerShips: the local OIDC signer (scripts/internal/standin/oidcsigner) mints tokens
// the local stack trusts; no deployed file may carry it or any other token signer, only
// the verifier (shared/oidc). (Importing it is caught by TestArchiveCompilesAlone.)
func TestNoTokenSignerShips(t *testing.T) {
	kept := archivedFiles(t, archiveExcludes(t))
	verifier := false
	for _, f := range kept {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		src := readRepoFile(t, f)
		for _, bad := range []string{"rsa.GenerateKey", "rsa.SignPKCS1v15", "jose.NewSigner"} {
			if strings.Contains(src, bad) {
				t.Errorf("the deployed archive keeps %s, which contains %s", f, bad)
			}
		}
		verifier = verifier || strings.HasPrefix(f, "shared/oidc/")
	}
	if !verifier {
		t.Error("the archive leaves out shared/oidc, which dispatch and reminders need")
	}
}
