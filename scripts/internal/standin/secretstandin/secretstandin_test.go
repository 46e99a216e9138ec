package secretstandin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"
	"testing"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/lembra-app/lembra/scripts/internal/standin/secretstandin"
)

const project = "lembra-test"

// start serves a fresh stand-in on loopback and returns it with an official client.
func start(t *testing.T) (*secretstandin.Server, *secretmanager.Client) {
	t.Helper()
	srv, c, _ := startAddr(t)
	return srv, c
}

// startAddr is start that also returns the address served.
func startAddr(t *testing.T) (*secretstandin.Server, *secretmanager.Client, string) {
	t.Helper()
	srv := secretstandin.New()
	addr, err := srv.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	client, err := secretmanager.NewClient(context.Background(),
		option.WithEndpoint(addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return srv, client, addr
}

func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("error %v: code %v, want %v", err, got, want)
	}
}

func crc(b []byte) int64 { return int64(crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))) }

func automatic() *secretmanagerpb.Secret {
	return &secretmanagerpb.Secret{Replication: &secretmanagerpb.Replication{
		Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}},
	}}
}

func TestSecretsLifecycle(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	parent := "projects/" + project

	sec, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "meta-app-secret", Secret: automatic()})
	if err != nil {
		t.Fatal(err)
	}
	if sec.Name != parent+"/secrets/meta-app-secret" || sec.CreateTime == nil || sec.Etag == "" || sec.Replication.GetAutomatic() == nil {
		t.Fatalf("created %v", sec)
	}
	_, err = c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "meta-app-secret", Secret: automatic()})
	wantCode(t, err, codes.AlreadyExists)
	_, err = c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: parent, SecretId: "bad/id", Secret: automatic()})
	wantCode(t, err, codes.InvalidArgument)
	_, err = c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: "nope", SecretId: "x", Secret: automatic()})
	wantCode(t, err, codes.InvalidArgument)

	got, err := c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: sec.Name})
	if err != nil || got.Name != sec.Name || got.Etag != sec.Etag {
		t.Fatalf("GetSecret = %v, %v", got, err)
	}
	_, err = c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: parent + "/secrets/missing"})
	wantCode(t, err, codes.NotFound)
	_, err = c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: "projects/x/topics/y"})
	wantCode(t, err, codes.InvalidArgument)

	// Stale etag, then a correct delete.
	_, err = c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: sec.Name})
	if err != nil {
		t.Fatal(err)
	}
	err = c.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: sec.Name, Etag: `"0000000000stale"`})
	wantCode(t, err, codes.Aborted)
	if err := c.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: sec.Name, Etag: sec.Etag}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSecret(ctx, &secretmanagerpb.GetSecretRequest{Name: sec.Name})
	wantCode(t, err, codes.NotFound)
	err = c.DeleteSecret(ctx, &secretmanagerpb.DeleteSecretRequest{Name: sec.Name})
	wantCode(t, err, codes.NotFound)
	_, err = c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{Parent: sec.Name, Payload: &secretmanagerpb.SecretPayload{Data: []byte("x")}})
	wantCode(t, err, codes.NotFound)
}

func TestListSecretsPaginatedNewestFirst(t *testing.T) {
	srv, c, addr := startAddr(t)
	ctx := context.Background()
	for i := range 5 {
		srv.Put(project, fmt.Sprintf("s%d", i), []byte("v"))
	}
	srv.Put("other-project", "s9", []byte("v"))

	it := c.ListSecrets(ctx, &secretmanagerpb.ListSecretsRequest{Parent: "projects/" + project, PageSize: 2})
	var names []string
	for {
		s, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, s.Name)
	}
	want := []string{"s4", "s3", "s2", "s1", "s0"}
	if len(names) != len(want) {
		t.Fatalf("listed %v", names)
	}
	for i, w := range want {
		if names[i] != "projects/"+project+"/secrets/"+w {
			t.Fatalf("listed %v, want order %v", names, want)
		}
	}

	// One raw page: a token and the total size.
	resp, err := raw(t, addr).ListSecrets(ctx,
		&secretmanagerpb.ListSecretsRequest{Parent: "projects/" + project, PageSize: 2})
	if err != nil || len(resp.Secrets) != 2 || resp.NextPageToken == "" || resp.TotalSize != 5 {
		t.Fatalf("raw page = %v, %v", resp, err)
	}
	_, err = raw(t, addr).ListSecrets(ctx,
		&secretmanagerpb.ListSecretsRequest{Parent: "projects/" + project, PageToken: "garbage"})
	wantCode(t, err, codes.InvalidArgument)
}

// raw opens a plain generated gRPC stub, which shows page tokens that the official
// client's iterator hides.
func raw(t *testing.T, addr string) secretmanagerpb.SecretManagerServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return secretmanagerpb.NewSecretManagerServiceClient(conn)
}

func TestAddAndAccessVersions(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	name := srv.Put(project, "token-tenant-1", []byte("first"))
	if name != "projects/"+project+"/secrets/token-tenant-1/versions/1" {
		t.Fatalf("Put returned %q", name)
	}
	secretName := "projects/" + project + "/secrets/token-tenant-1"

	// Client-specified checksum: correct, then wrong.
	data := []byte("second")
	sum := crc(data)
	v2, err := c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
		Parent: secretName, Payload: &secretmanagerpb.SecretPayload{Data: data, DataCrc32C: &sum}})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Name != secretName+"/versions/2" || v2.State != secretmanagerpb.SecretVersion_ENABLED || !v2.ClientSpecifiedPayloadChecksum || v2.Etag == "" {
		t.Fatalf("version 2 = %v", v2)
	}
	bad := sum + 1
	_, err = c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
		Parent: secretName, Payload: &secretmanagerpb.SecretPayload{Data: data, DataCrc32C: &bad}})
	wantCode(t, err, codes.InvalidArgument)
	_, err = c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
		Parent: secretName, Payload: &secretmanagerpb.SecretPayload{Data: make([]byte, 64<<10+1)}})
	wantCode(t, err, codes.InvalidArgument)
	_, err = c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{Parent: secretName})
	wantCode(t, err, codes.InvalidArgument)

	// Without a checksum the server computes one.
	v3, err := c.AddSecretVersion(ctx, &secretmanagerpb.AddSecretVersionRequest{
		Parent: secretName, Payload: &secretmanagerpb.SecretPayload{Data: []byte("third")}})
	if err != nil || v3.ClientSpecifiedPayloadChecksum {
		t.Fatalf("version 3 = %v, %v", v3, err)
	}

	access := func(ref string) (*secretmanagerpb.AccessSecretVersionResponse, error) {
		return c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: secretName + "/versions/" + ref})
	}
	resp, err := access("latest")
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Payload.Data) != "third" || resp.Name != secretName+"/versions/3" ||
		resp.Payload.DataCrc32C == nil || *resp.Payload.DataCrc32C != crc([]byte("third")) {
		t.Fatalf("latest = %v", resp)
	}
	resp, err = access("1")
	if err != nil || string(resp.Payload.Data) != "first" || *resp.Payload.DataCrc32C != crc([]byte("first")) {
		t.Fatalf("version 1 = %v, %v", resp, err)
	}
	_, err = access("9")
	wantCode(t, err, codes.NotFound)
	_, err = access("0")
	wantCode(t, err, codes.InvalidArgument)
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/nope/versions/latest"})
	wantCode(t, err, codes.NotFound)
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/nope/versions/1"})
	wantCode(t, err, codes.NotFound)
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: secretName})
	wantCode(t, err, codes.InvalidArgument)

	// Secret without versions.
	if _, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: "projects/" + project, SecretId: "empty", Secret: automatic()}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/empty/versions/latest"})
	wantCode(t, err, codes.NotFound)

	if n := srv.AccessCount("token-tenant-1"); n != 4 { // latest, 1, 9, 0; the malformed name is not counted
		t.Fatalf("AccessCount(token-tenant-1) = %d, want 4 (failures count too)", n)
	}
	if n := srv.AccessCount("nope"); n != 2 {
		t.Fatalf("AccessCount(nope) = %d, want 2", n)
	}
}

func TestVersionStates(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	srv.Put(project, "k", []byte("one"))
	v2name := srv.Put(project, "k", []byte("two"))
	latest := "projects/" + project + "/secrets/k/versions/latest"

	v2, err := c.GetSecretVersion(ctx, &secretmanagerpb.GetSecretVersionRequest{Name: latest})
	if err != nil || v2.Name != v2name {
		t.Fatalf("GetSecretVersion(latest) = %v, %v", v2, err)
	}
	_, err = c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: v2name, Etag: `"stale"`})
	wantCode(t, err, codes.Aborted)
	dis, err := c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: v2name, Etag: v2.Etag})
	if err != nil || dis.State != secretmanagerpb.SecretVersion_DISABLED || dis.Etag == v2.Etag {
		t.Fatalf("disable = %v, %v", dis, err)
	}
	// latest is the newest version whatever its state: no fallback to version 1.
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: latest})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: v2name})
	wantCode(t, err, codes.FailedPrecondition)
	if st, _ := status.FromError(err); st.Message() != "Secret Version ["+v2name+"] is in DISABLED state." {
		t.Fatalf("message %q", st.Message())
	}
	// Disabling twice is fine; enabling restores access.
	if _, err := c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: v2name}); err != nil {
		t.Fatal(err)
	}
	en, err := c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: v2name})
	if err != nil || en.State != secretmanagerpb.SecretVersion_ENABLED {
		t.Fatalf("enable = %v, %v", en, err)
	}
	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: latest})
	if err != nil || string(resp.Payload.Data) != "two" {
		t.Fatalf("access after enable = %v, %v", resp, err)
	}

	// Destroy is final and wipes the payload.
	d, err := c.DestroySecretVersion(ctx, &secretmanagerpb.DestroySecretVersionRequest{Name: v2name})
	if err != nil || d.State != secretmanagerpb.SecretVersion_DESTROYED || d.DestroyTime == nil {
		t.Fatalf("destroy = %v, %v", d, err)
	}
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: latest})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = c.EnableSecretVersion(ctx, &secretmanagerpb.EnableSecretVersionRequest{Name: v2name})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = c.DisableSecretVersion(ctx, &secretmanagerpb.DisableSecretVersionRequest{Name: v2name})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = c.DestroySecretVersion(ctx, &secretmanagerpb.DestroySecretVersionRequest{Name: v2name})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = c.DestroySecretVersion(ctx, &secretmanagerpb.DestroySecretVersionRequest{Name: "projects/" + project + "/secrets/k/versions/7"})
	wantCode(t, err, codes.NotFound)

	// Version 1 is still readable by number; a new version becomes latest.
	resp, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/k/versions/1"})
	if err != nil || string(resp.Payload.Data) != "one" {
		t.Fatalf("version 1 = %v, %v", resp, err)
	}
	srv.Put(project, "k", []byte("three"))
	resp, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: latest})
	if err != nil || string(resp.Payload.Data) != "three" {
		t.Fatalf("latest after new version = %v, %v", resp, err)
	}

	// Listing: newest first, with states.
	it := c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: "projects/" + project + "/secrets/k", PageSize: 1})
	var states []string
	for {
		v, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, v.Name[len(v.Name)-1:]+":"+v.State.String())
	}
	if fmt.Sprint(states) != "[3:ENABLED 2:DESTROYED 1:ENABLED]" {
		t.Fatalf("versions %v", states)
	}
	it = c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: "projects/" + project + "/secrets/missing"})
	_, err = it.Next()
	wantCode(t, err, codes.NotFound)
}

func TestVersionAliases(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	sec := automatic()
	sec.VersionAliases = map[string]int64{"current": 1}
	if _, err := c.CreateSecret(ctx, &secretmanagerpb.CreateSecretRequest{Parent: "projects/" + project, SecretId: "a", Secret: sec}); err != nil {
		t.Fatal(err)
	}
	srv.Put(project, "a", []byte("v1"))
	srv.Put(project, "a", []byte("v2"))
	resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/a/versions/current"})
	if err != nil || string(resp.Payload.Data) != "v1" || resp.Name != "projects/"+project+"/secrets/a/versions/1" {
		t.Fatalf("alias = %v, %v", resp, err)
	}
	_, err = c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/a/versions/other"})
	wantCode(t, err, codes.NotFound)
}

func TestProjectIsOpaque(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	srv.Put("123456789012", "s", []byte("by-number"))
	srv.Put("lembra-prod", "s", []byte("by-id"))
	for p, want := range map[string]string{"123456789012": "by-number", "lembra-prod": "by-id"} {
		resp, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + p + "/secrets/s/versions/latest"})
		if err != nil || string(resp.Payload.Data) != want {
			t.Fatalf("project %s: %v, %v", p, resp, err)
		}
	}
	if n := srv.AccessCount("s"); n != 2 {
		t.Fatalf("AccessCount = %d", n)
	}
}

func TestPutValues(t *testing.T) {
	srv, c := start(t)
	big := bytes.Repeat([]byte("x"), 70<<10)
	srv.Put(project, "big", big)
	srv.Put(project, "empty", nil)
	for id, want := range map[string][]byte{"big": big, "empty": {}} {
		resp, err := c.AccessSecretVersion(context.Background(), &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/" + id + "/versions/latest"})
		if err != nil || !bytes.Equal(resp.Payload.Data, want) {
			t.Fatalf("%s: %d bytes, %v", id, len(resp.GetPayload().GetData()), err)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Put with a bad id did not panic")
		}
	}()
	srv.Put(project, "bad/id", nil)
}

func TestUnimplementedAndClose(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	_, err := c.UpdateSecret(ctx, &secretmanagerpb.UpdateSecretRequest{Secret: &secretmanagerpb.Secret{Name: "projects/p/secrets/s"}})
	wantCode(t, err, codes.Unimplemented)

	srv.Close()
	srv.Close() // idempotent
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = c.GetSecret(cctx, &secretmanagerpb.GetSecretRequest{Name: "projects/p/secrets/s"})
	if err == nil {
		t.Fatal("call after Close succeeded")
	}
	if _, err := srv.Serve("127.0.0.1:0"); err == nil {
		t.Fatal("Serve after Close succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	srv, c := start(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("c%d", i%2)
			for j := range 10 {
				srv.Put(project, id, []byte(fmt.Sprint(j)))
				if _, err := c.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: "projects/" + project + "/secrets/" + id + "/versions/latest"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := srv.AccessCount("c0") + srv.AccessCount("c1"); n != 80 {
		t.Fatalf("AccessCount total = %d", n)
	}
	it := c.ListSecretVersions(ctx, &secretmanagerpb.ListSecretVersionsRequest{Parent: "projects/" + project + "/secrets/c0"})
	n := 0
	for {
		_, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 40 {
		t.Fatalf("c0 has %d versions, want 40", n)
	}
}
