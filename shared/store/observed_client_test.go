package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// ObservedFirestoreClient is a Firestore client on the emulator, in a project of the
// test's own, on a connection whose every request observe sees with its gRPC method:
// each unary call's request, and each message a stream sends (RunQuery and
// BatchGetDocuments send one). For the tests that count or record what the store asks
// of Firestore (exported for the package's external tests).
func ObservedFirestoreClient(t *testing.T, observe func(method string, req any)) *firestore.Client {
	t.Helper()
	conn, err := grpc.NewClient(os.Getenv("FIRESTORE_EMULATOR_HOST"),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(emulatorOwnerCreds{}),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			observe(method, req)
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			cs, err := streamer(ctx, desc, cc, method, opts...)
			if err != nil {
				return nil, err
			}
			return observedStream{ClientStream: cs, method: method, observe: observe}, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer("/", "-", "_", "-").Replace(strings.ToLower(t.Name()))
	project := fmt.Sprintf("store-%s-%d", name[:min(len(name), 40)], time.Now().UnixNano())
	fs, err := firestore.NewClient(context.Background(), project, option.WithGRPCConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

type observedStream struct {
	grpc.ClientStream
	method  string
	observe func(method string, req any)
}

func (s observedStream) SendMsg(m any) error {
	s.observe(s.method, m)
	return s.ClientStream.SendMsg(m)
}

// emulatorOwnerCreds is the credential the Firestore emulator expects, as the client
// itself sends it when FIRESTORE_EMULATOR_HOST is set.
type emulatorOwnerCreds struct{}

func (emulatorOwnerCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}
func (emulatorOwnerCreds) RequireTransportSecurity() bool { return false }
