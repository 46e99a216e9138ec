package secretstandin

import (
	"context"
	"encoding/base64"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// rpc implements the gRPC service on a Server.
type rpc struct {
	secretmanagerpb.UnimplementedSecretManagerServiceServer
	s *Server
}

var errClosed = status.Error(codes.Unavailable, "the Secret Manager stand-in is shutting down")

// lock takes the server lock unless the server is closed.
func (r *rpc) lock() error {
	r.s.mu.Lock()
	if r.s.closed {
		r.s.mu.Unlock()
		return errClosed
	}
	return nil
}

func (r *rpc) unlock() { r.s.mu.Unlock() }

// ---- names ----

func parseSecretName(name string) (project, id string, err error) {
	m := secretRE.FindStringSubmatch(name)
	if m == nil || !secretIDRE.MatchString(m[2]) {
		return "", "", status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: name %q is not of the form projects/*/secrets/*", name)
	}
	return m[1], m[2], nil
}

func parseVersionName(name string) (secretName, id, ref string, err error) {
	m := versionRE.FindStringSubmatch(name)
	if m == nil || !secretIDRE.MatchString(m[2]) {
		return "", "", "", status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: name %q is not of the form projects/*/secrets/*/versions/*", name)
	}
	return "projects/" + m[1] + "/secrets/" + m[2], m[2], m[3], nil
}

func secretNotFound(name string) error {
	return status.Errorf(codes.NotFound, "Secret [%s] not found.", name)
}

func versionNotFound(name string) error {
	return status.Errorf(codes.NotFound, "Secret Version [%s] not found.", name)
}

func staleEtag(name string) error {
	return status.Errorf(codes.Aborted, "The etag provided in the request does not match the current etag of [%s].", name)
}

// secretLocked finds a secret by full name.
func (r *rpc) secretLocked(name string) (*secret, error) {
	sec, ok := r.s.secrets[name]
	if !ok {
		return nil, secretNotFound(name)
	}
	return sec, nil
}

// versionLocked resolves a version name: a number, "latest" (the most recently
// created version, whatever its state) or an alias of the secret.
func (r *rpc) versionLocked(name string) (*secret, *version, error) {
	secretName, _, ref, err := parseVersionName(name)
	if err != nil {
		return nil, nil, err
	}
	sec, ok := r.s.secrets[secretName]
	if !ok {
		if ref == "latest" {
			return nil, nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", secretName)
		}
		return nil, nil, secretNotFound(secretName)
	}
	var n int64
	switch {
	case ref == "latest":
		if len(sec.versions) == 0 {
			return nil, nil, status.Errorf(codes.NotFound, "Secret [%s] not found or has no versions.", secretName)
		}
		n = int64(len(sec.versions))
	case isDigits(ref):
		n, err = strconv.ParseInt(ref, 10, 64)
		if err != nil || n < 1 {
			return nil, nil, status.Errorf(codes.InvalidArgument, "Invalid version %q in %s.", ref, name)
		}
	default:
		alias, ok := sec.pb.GetVersionAliases()[ref]
		if !ok {
			return nil, nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found: no version or alias %q.", name, ref)
		}
		n = alias
	}
	if n < 1 || n > int64(len(sec.versions)) {
		return nil, nil, versionNotFound(secretName + "/versions/" + strconv.FormatInt(n, 10))
	}
	return sec, sec.versions[n-1], nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ---- pagination ----

// page cuts items[offset from token : +size] and returns the next token.
func page[T any](items []T, size int32, token, scope string) ([]T, string, error) {
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		prefix := scope + "\x00"
		if err != nil || !strings.HasPrefix(string(raw), prefix) {
			return nil, "", status.Error(codes.InvalidArgument, "Invalid page token.")
		}
		start, err = strconv.Atoi(strings.TrimPrefix(string(raw), prefix))
		if err != nil || start < 0 {
			return nil, "", status.Error(codes.InvalidArgument, "Invalid page token.")
		}
	}
	if size < 0 {
		return nil, "", status.Error(codes.InvalidArgument, "page_size must not be negative.")
	}
	n := int(size)
	if n == 0 {
		n = defaultPageSize
	}
	n = min(n, maxPageSize)
	if start >= len(items) {
		return nil, "", nil
	}
	end := min(start+n, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(scope + "\x00" + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// ---- secrets ----

func (r *rpc) CreateSecret(_ context.Context, req *secretmanagerpb.CreateSecretRequest) (*secretmanagerpb.Secret, error) {
	if !projectRE.MatchString(req.Parent) {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: parent %q is not of the form projects/*", req.Parent)
	}
	if !secretIDRE.MatchString(req.SecretId) {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid secret_id %q: it must be 1 to 255 letters, digits, underscores or hyphens.", req.SecretId)
	}
	in := req.GetSecret()
	if in == nil {
		in = &secretmanagerpb.Secret{}
	}
	if um := in.GetReplication().GetUserManaged(); um != nil && len(um.Replicas) == 0 {
		return nil, status.Error(codes.InvalidArgument, "Secret.replication.user_managed.replicas must not be empty.")
	}
	name := req.Parent + "/secrets/" + req.SecretId
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	if _, ok := r.s.secrets[name]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Secret [%s] already exists.", name)
	}
	sec := r.s.createLocked(name, in)
	return proto.Clone(sec.pb).(*secretmanagerpb.Secret), nil
}

func (r *rpc) GetSecret(_ context.Context, req *secretmanagerpb.GetSecretRequest) (*secretmanagerpb.Secret, error) {
	if _, _, err := parseSecretName(req.Name); err != nil {
		return nil, err
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	sec, err := r.secretLocked(req.Name)
	if err != nil {
		return nil, err
	}
	return proto.Clone(sec.pb).(*secretmanagerpb.Secret), nil
}

func (r *rpc) ListSecrets(_ context.Context, req *secretmanagerpb.ListSecretsRequest) (*secretmanagerpb.ListSecretsResponse, error) {
	if !projectRE.MatchString(req.Parent) {
		return nil, status.Errorf(codes.InvalidArgument, "Invalid resource field value in the request: parent %q is not of the form projects/*", req.Parent)
	}
	if req.Filter != "" {
		return nil, status.Error(codes.InvalidArgument, "filter is not supported by the Secret Manager stand-in")
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	prefix := req.Parent + "/secrets/"
	var all []*secret
	for name, sec := range r.s.secrets {
		if strings.HasPrefix(name, prefix) {
			all = append(all, sec)
		}
	}
	slices.SortFunc(all, func(a, b *secret) int { return int(b.seq - a.seq) }) // newest first
	items, next, err := page(all, req.PageSize, req.PageToken, req.Parent)
	if err != nil {
		return nil, err
	}
	resp := &secretmanagerpb.ListSecretsResponse{NextPageToken: next, TotalSize: int32(len(all))}
	for _, sec := range items {
		resp.Secrets = append(resp.Secrets, proto.Clone(sec.pb).(*secretmanagerpb.Secret))
	}
	return resp, nil
}

func (r *rpc) DeleteSecret(_ context.Context, req *secretmanagerpb.DeleteSecretRequest) (*emptypb.Empty, error) {
	if _, _, err := parseSecretName(req.Name); err != nil {
		return nil, err
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	sec, err := r.secretLocked(req.Name)
	if err != nil {
		return nil, err
	}
	if req.Etag != "" && req.Etag != sec.pb.Etag {
		return nil, staleEtag(req.Name)
	}
	delete(r.s.secrets, req.Name)
	return &emptypb.Empty{}, nil
}

// ---- versions ----

func (r *rpc) AddSecretVersion(_ context.Context, req *secretmanagerpb.AddSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	if _, _, err := parseSecretName(req.Parent); err != nil {
		return nil, err
	}
	p := req.GetPayload()
	if p == nil {
		return nil, status.Error(codes.InvalidArgument, "Secret Payload cannot be empty.")
	}
	if len(p.Data) > maxPayloadSize {
		return nil, status.Errorf(codes.InvalidArgument, "Secret Payload cannot be larger than 64KiB (got %d bytes).", len(p.Data))
	}
	crc := crc32.Checksum(p.Data, castagnoli)
	if p.DataCrc32C != nil && *p.DataCrc32C != int64(crc) {
		return nil, status.Errorf(codes.InvalidArgument, "Data integrity check failed: data_crc32c %d does not match the payload (crc32c %d).", *p.DataCrc32C, crc)
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	sec, err := r.secretLocked(req.Parent)
	if err != nil {
		return nil, err
	}
	v := r.s.addVersionLocked(sec, p.Data, crc, p.DataCrc32C != nil)
	return proto.Clone(v.pb).(*secretmanagerpb.SecretVersion), nil
}

func (r *rpc) AccessSecretVersion(_ context.Context, req *secretmanagerpb.AccessSecretVersionRequest) (*secretmanagerpb.AccessSecretVersionResponse, error) {
	_, id, _, err := parseVersionName(req.Name)
	if err != nil {
		return nil, err
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	r.s.access[id]++
	_, v, err := r.versionLocked(req.Name)
	if err != nil {
		return nil, err
	}
	if v.pb.State != secretmanagerpb.SecretVersion_ENABLED {
		return nil, status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in %s state.", v.pb.Name, v.pb.State)
	}
	crc := int64(v.crc)
	return &secretmanagerpb.AccessSecretVersionResponse{
		Name:    v.pb.Name,
		Payload: &secretmanagerpb.SecretPayload{Data: append([]byte(nil), v.data...), DataCrc32C: &crc},
	}, nil
}

func (r *rpc) GetSecretVersion(_ context.Context, req *secretmanagerpb.GetSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	_, v, err := r.versionLocked(req.Name)
	if err != nil {
		return nil, err
	}
	return proto.Clone(v.pb).(*secretmanagerpb.SecretVersion), nil
}

func (r *rpc) ListSecretVersions(_ context.Context, req *secretmanagerpb.ListSecretVersionsRequest) (*secretmanagerpb.ListSecretVersionsResponse, error) {
	if _, _, err := parseSecretName(req.Parent); err != nil {
		return nil, err
	}
	if req.Filter != "" {
		return nil, status.Error(codes.InvalidArgument, "filter is not supported by the Secret Manager stand-in")
	}
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	sec, err := r.secretLocked(req.Parent)
	if err != nil {
		return nil, err
	}
	all := slices.Clone(sec.versions)
	slices.Reverse(all) // newest first
	items, next, err := page(all, req.PageSize, req.PageToken, req.Parent)
	if err != nil {
		return nil, err
	}
	resp := &secretmanagerpb.ListSecretVersionsResponse{NextPageToken: next, TotalSize: int32(len(all))}
	for _, v := range items {
		resp.Versions = append(resp.Versions, proto.Clone(v.pb).(*secretmanagerpb.SecretVersion))
	}
	return resp, nil
}

// transition applies a state change to a version, checking its etag.
func (r *rpc) transition(name, etag string, apply func(*Server, *version) error) (*secretmanagerpb.SecretVersion, error) {
	if err := r.lock(); err != nil {
		return nil, err
	}
	defer r.unlock()
	_, v, err := r.versionLocked(name)
	if err != nil {
		return nil, err
	}
	if etag != "" && etag != v.pb.Etag {
		return nil, staleEtag(v.pb.Name)
	}
	if err := apply(r.s, v); err != nil {
		return nil, err
	}
	return proto.Clone(v.pb).(*secretmanagerpb.SecretVersion), nil
}

func destroyed(v *version) error {
	return status.Errorf(codes.FailedPrecondition, "Secret Version [%s] is in DESTROYED state.", v.pb.Name)
}

func (r *rpc) DisableSecretVersion(_ context.Context, req *secretmanagerpb.DisableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return r.transition(req.Name, req.Etag, func(s *Server, v *version) error {
		switch v.pb.State {
		case secretmanagerpb.SecretVersion_DESTROYED:
			return destroyed(v)
		case secretmanagerpb.SecretVersion_ENABLED:
			v.pb.State = secretmanagerpb.SecretVersion_DISABLED
			v.pb.Etag = s.etagLocked()
		}
		return nil
	})
}

func (r *rpc) EnableSecretVersion(_ context.Context, req *secretmanagerpb.EnableSecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return r.transition(req.Name, req.Etag, func(s *Server, v *version) error {
		switch v.pb.State {
		case secretmanagerpb.SecretVersion_DESTROYED:
			return destroyed(v)
		case secretmanagerpb.SecretVersion_DISABLED:
			v.pb.State = secretmanagerpb.SecretVersion_ENABLED
			v.pb.Etag = s.etagLocked()
		}
		return nil
	})
}

func (r *rpc) DestroySecretVersion(_ context.Context, req *secretmanagerpb.DestroySecretVersionRequest) (*secretmanagerpb.SecretVersion, error) {
	return r.transition(req.Name, req.Etag, func(s *Server, v *version) error {
		if v.pb.State == secretmanagerpb.SecretVersion_DESTROYED {
			return destroyed(v)
		}
		v.pb.State = secretmanagerpb.SecretVersion_DESTROYED
		v.pb.DestroyTime = timestamppb.Now()
		v.pb.Etag = s.etagLocked()
		v.data, v.crc = nil, 0
		return nil
	})
}
