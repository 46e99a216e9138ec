// Package secretstandin is a local stand-in for Google Secret Manager, for which no
// official emulator exists. It serves the real gRPC API
// google.cloud.secretmanager.v1.SecretManagerService, so the official client
// (cloud.google.com/go/secretmanager/apiv1) talks to it unchanged:
//
//	client, err := secretmanager.NewClient(ctx,
//		option.WithEndpoint(addr), option.WithoutAuthentication(),
//		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
//
// Implemented RPCs: CreateSecret, GetSecret, ListSecrets, DeleteSecret,
// AddSecretVersion, AccessSecretVersion, GetSecretVersion, ListSecretVersions,
// DisableSecretVersion, EnableSecretVersion, DestroySecretVersion. Others (UpdateSecret,
// IAM, rotation) answer Unimplemented.
//
// Semantics follow Secret Manager:
//   - names are projects/P/secrets/S[/versions/V]; P is opaque (a project id and the
//     project number are different projects here, Secret Manager would map both to
//     the number);
//   - versions are numbered 1, 2, 3… per secret; V is a number, "latest" or a version
//     alias of the secret;
//   - "latest" is the most recently created version whatever its state (as the API
//     documents it): if that version is disabled or destroyed, AccessSecretVersion
//     fails with FailedPrecondition naming it, it does NOT fall back to an older
//     enabled version;
//   - AccessSecretVersion of a DISABLED or DESTROYED version is FailedPrecondition;
//     destroying wipes the payload and is final (enable/disable/destroy of a destroyed
//     version is FailedPrecondition);
//   - AddSecretVersion computes the payload's CRC32C (Castagnoli) and, when the client
//     sent one, checks it (mismatch → InvalidArgument); payloads are limited to 64 KiB;
//   - a stale etag on DeleteSecret / Disable / Enable / Destroy is Aborted;
//   - lists are newest first and paginated (page_size ≤ 25000, opaque page tokens);
//     filters are not supported (InvalidArgument).
//
// Not modelled: regional secrets (projects/P/locations/L/…), expiration, delayed
// destruction (version_destroy_ttl is stored but destroy is immediate), topics and
// rotation notifications, IAM.
//
// Test hooks beyond the API: Put (seed a secret value) and AccessCount (how often a
// secret was read, to check caching).
package secretstandin

import (
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"regexp"
	"strconv"
	"sync"
	"time"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const (
	maxPayloadSize  = 64 << 10 // SecretPayload.data: "Must be no larger than 64KiB."
	maxPageSize     = 25000
	defaultPageSize = 25000
)

var (
	projectRE   = regexp.MustCompile(`^projects/([^/]+)$`)
	secretRE    = regexp.MustCompile(`^projects/([^/]+)/secrets/([^/]+)$`)
	versionRE   = regexp.MustCompile(`^projects/([^/]+)/secrets/([^/]+)/versions/([^/]+)$`)
	secretIDRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	castagnoli  = crc32.MakeTable(crc32.Castagnoli)
	errServing  = errors.New("secretstandin: already serving")
	errShutdown = errors.New("secretstandin: server closed")
)

// Server is the Secret Manager stand-in. Create it with New; it is safe for
// concurrent use.
type Server struct {
	mu      sync.Mutex
	closed  bool
	grpc    *grpc.Server
	wg      sync.WaitGroup
	secrets map[string]*secret // by full name projects/P/secrets/S
	access  map[string]int     // AccessSecretVersion calls by secret id
	seq     int64              // creation order and etag source
}

type secret struct {
	pb       *secretmanagerpb.Secret
	seq      int64
	versions []*version // versions[n-1] is version n
}

type version struct {
	pb   *secretmanagerpb.SecretVersion
	data []byte
	crc  uint32
}

// New returns an empty server; call Serve to expose it over gRPC.
func New() *Server {
	return &Server{secrets: map[string]*secret{}, access: map[string]int{}}
}

// Serve listens on addr (e.g. "127.0.0.1:0") and serves the gRPC API in the
// background. It returns the address actually bound, as host:port.
func (s *Server) Serve(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errShutdown
	}
	if s.grpc != nil {
		return "", errServing
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("secretstandin: listen: %w", err)
	}
	s.grpc = grpc.NewServer()
	secretmanagerpb.RegisterSecretManagerServiceServer(s.grpc, &rpc{s: s})
	srv := s.grpc
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(lis)
	}()
	return lis.Addr().String(), nil
}

// Close stops the gRPC server; in-flight calls are aborted. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	srv := s.grpc
	s.mu.Unlock()
	if srv != nil {
		srv.Stop()
	}
	s.wg.Wait()
}

// Put stores value as a new ENABLED version of projects/<project>/secrets/<secretID>,
// creating the secret (automatic replication) if needed, and returns the version's
// full name. Unlike AddSecretVersion it accepts values over 64 KiB. It
// panics on an invalid project or secret id: that is a bug in the test.
func (s *Server) Put(project, secretID string, value []byte) (versionName string) {
	if !projectRE.MatchString("projects/"+project) || !secretIDRE.MatchString(secretID) {
		panic(fmt.Sprintf("secretstandin: Put: invalid project %q or secret id %q", project, secretID))
	}
	name := "projects/" + project + "/secrets/" + secretID
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		sec = s.createLocked(name, &secretmanagerpb.Secret{})
	}
	v := s.addVersionLocked(sec, value, crc32.Checksum(value, castagnoli), false)
	return v.pb.Name
}

// AccessCount reports how many AccessSecretVersion calls named a secret with this id
// (in any project, whatever the outcome, failures included). Tests use it to check
// that a cache keeps values.
func (s *Server) AccessCount(secretID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access[secretID]
}

// createLocked adds a secret; in must not be shared with the caller afterwards.
func (s *Server) createLocked(name string, in *secretmanagerpb.Secret) *secret {
	s.seq++
	pb := proto.Clone(in).(*secretmanagerpb.Secret)
	pb.Name = name
	pb.CreateTime = timestamppb.Now()
	pb.Etag = s.etagLocked()
	if pb.Replication == nil {
		pb.Replication = &secretmanagerpb.Replication{
			Replication: &secretmanagerpb.Replication_Automatic_{Automatic: &secretmanagerpb.Replication_Automatic{}},
		}
	}
	sec := &secret{pb: pb, seq: s.seq}
	s.secrets[name] = sec
	return sec
}

func (s *Server) addVersionLocked(sec *secret, data []byte, crc uint32, clientChecksum bool) *version {
	n := len(sec.versions) + 1
	v := &version{
		data: append([]byte(nil), data...),
		crc:  crc,
		pb: &secretmanagerpb.SecretVersion{
			Name:                           sec.pb.Name + "/versions/" + strconv.Itoa(n),
			CreateTime:                     timestamppb.Now(),
			State:                          secretmanagerpb.SecretVersion_ENABLED,
			ReplicationStatus:              replicationStatus(sec.pb.Replication),
			Etag:                           s.etagLocked(),
			ClientSpecifiedPayloadChecksum: clientChecksum,
		},
	}
	sec.versions = append(sec.versions, v)
	return v
}

// etagLocked returns a fresh etag, quoted like Secret Manager's.
func (s *Server) etagLocked() string {
	s.seq++
	return fmt.Sprintf("%q", fmt.Sprintf("%014x", uint64(time.Now().UnixNano())^uint64(s.seq)<<40))
}

func replicationStatus(r *secretmanagerpb.Replication) *secretmanagerpb.ReplicationStatus {
	if um := r.GetUserManaged(); um != nil {
		st := &secretmanagerpb.ReplicationStatus_UserManagedStatus{}
		for _, rep := range um.Replicas {
			st.Replicas = append(st.Replicas, &secretmanagerpb.ReplicationStatus_UserManagedStatus_ReplicaStatus{Location: rep.Location})
		}
		return &secretmanagerpb.ReplicationStatus{ReplicationStatus: &secretmanagerpb.ReplicationStatus_UserManaged{UserManaged: st}}
	}
	return &secretmanagerpb.ReplicationStatus{
		ReplicationStatus: &secretmanagerpb.ReplicationStatus_Automatic{Automatic: &secretmanagerpb.ReplicationStatus_AutomaticStatus{}},
	}
}
