package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"cloud.google.com/go/firestore"
	"cloud.google.com/go/firestore/apiv1/firestorepb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// Firestore operations, counted at the gRPC level on the client the stack's functions
// use (Stack.FirestoreOps), as Firestore bills them
// (https://cloud.google.com/firestore/pricing):
//
//   - reads: each document a RunQuery returns and each document a BatchGetDocuments
//     finds (a lookup of a missing document returns none), and for an aggregation
//     (RunAggregationQuery) one read per batch of up to 1,000 index entries counted (at
//     least one);
//   - writes: each Write of a Commit that succeeded (creates, updates, merges,
//     transforms and deletes alike) and each Write of a BatchWrite that was applied;
//   - aborted: commits Firestore refused with ABORTED (a contended transaction, which
//     the client then runs again: its reads are counted again);
//   - conflicts: commits refused by a precondition (FAILED_PRECONDITION: a write
//     conditional on a document's update time that another write changed first, which
//     the store then reads again and retries);
//   - empty queries: queries that returned no document, which Firestore bills as one
//     read each (a minimum charge); counted apart from reads.
//
// Documents the tests read through Stack.Env are counted too: a test measuring the
// functions reads through a client of its own.

// FirestoreOpCount is what one RPC method cost.
type FirestoreOpCount struct {
	Calls        int64 // RPCs made
	Reads        int64 // documents read (billed reads)
	Writes       int64 // writes applied (billed writes and deletes)
	Aborted      int64 // commits refused as contended (the transaction runs again)
	Conflicts    int64 // commits refused by a precondition (read again and retried)
	EmptyQueries int64 // queries that returned nothing (Firestore bills one read each)
}

func (c FirestoreOpCount) sub(o FirestoreOpCount) FirestoreOpCount {
	return FirestoreOpCount{c.Calls - o.Calls, c.Reads - o.Reads, c.Writes - o.Writes, c.Aborted - o.Aborted, c.Conflicts - o.Conflicts, c.EmptyQueries - o.EmptyQueries}
}

func (c FirestoreOpCount) add(o FirestoreOpCount) FirestoreOpCount {
	return FirestoreOpCount{c.Calls + o.Calls, c.Reads + o.Reads, c.Writes + o.Writes, c.Aborted + o.Aborted, c.Conflicts + o.Conflicts, c.EmptyQueries + o.EmptyQueries}
}

// FirestoreOps is a snapshot of the counts, by RPC method ("Commit", "RunQuery",
// "BatchGetDocuments", …).
type FirestoreOps map[string]FirestoreOpCount

// Total is the sum over methods.
func (o FirestoreOps) Total() FirestoreOpCount {
	var t FirestoreOpCount
	for _, c := range o {
		t = t.add(c)
	}
	return t
}

// Reads is the documents read; Writes the writes applied; Operations their sum, the
// figure a message lifecycle is budgeted in.
func (o FirestoreOps) Reads() int64      { return o.Total().Reads }
func (o FirestoreOps) Writes() int64     { return o.Total().Writes }
func (o FirestoreOps) Operations() int64 { t := o.Total(); return t.Reads + t.Writes }

// Sub is what happened since an earlier snapshot.
func (o FirestoreOps) Sub(earlier FirestoreOps) FirestoreOps {
	out := FirestoreOps{}
	for m, c := range o {
		if d := c.sub(earlier[m]); d != (FirestoreOpCount{}) {
			out[m] = d
		}
	}
	return out
}

// Add is both snapshots' counts together (e.g. the steps of a lifecycle).
func (o FirestoreOps) Add(other FirestoreOps) FirestoreOps {
	out := FirestoreOps{}
	for m, c := range o {
		out[m] = c
	}
	for m, c := range other {
		out[m] = out[m].add(c)
	}
	return out
}

// String is a one-line breakdown, e.g. "12 ops (8 reads, 4 writes, 0 aborted, 1 empty
// queries): BatchGetDocuments 6 calls 6 reads; Commit 4 calls 4 writes; …".
func (o FirestoreOps) String() string {
	t := o.Total()
	methods := make([]string, 0, len(o))
	for m := range o {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	parts := make([]string, 0, len(methods))
	for _, m := range methods {
		c := o[m]
		p := fmt.Sprintf("%s %d calls", m, c.Calls)
		for _, f := range []struct {
			n    int64
			what string
		}{{c.Reads, "reads"}, {c.Writes, "writes"}, {c.Aborted, "aborted"}, {c.Conflicts, "conflicts"}, {c.EmptyQueries, "empty queries"}} {
			if f.n != 0 {
				p += fmt.Sprintf(" %d %s", f.n, f.what)
			}
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("%d ops (%d reads, %d writes, %d aborted commits, %d conflicts, %d empty queries): %s",
		t.Reads+t.Writes, t.Reads, t.Writes, t.Aborted, t.Conflicts, t.EmptyQueries, strings.Join(parts, "; "))
}

// firestoreCounter counts the operations of the clients built with its options.
type firestoreCounter struct {
	mu sync.Mutex
	by FirestoreOps
	// lose, when set, picks one commit whose answer is lost after Firestore applied it
	// (LoseCommitAnswer).
	lose func(*firestorepb.CommitRequest) bool
}

// loses reports whether the answer of commit r is to be lost, clearing the fault once
// it has picked one.
func (c *firestoreCounter) loses(r *firestorepb.CommitRequest) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lose == nil || !c.lose(r) {
		return false
	}
	c.lose = nil
	return true
}

func newFirestoreCounter() *firestoreCounter { return &firestoreCounter{by: FirestoreOps{}} }

func (c *firestoreCounter) add(method string, d FirestoreOpCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.by[method] = c.by[method].add(d)
}

func (c *firestoreCounter) snapshot() FirestoreOps {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(FirestoreOps, len(c.by))
	for m, n := range c.by {
		out[m] = n
	}
	return out
}

func (c *firestoreCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.by = FirestoreOps{}
}

// clientOptions are the options of a Firestore client on the emulator at host whose
// operations c counts: its own connection, with c's interceptors and the credential
// the emulator expects (as the client itself sends it).
func (c *firestoreCounter) clientOptions(host string) ([]option.ClientOption, error) {
	conn, err := grpc.NewClient(host,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(emulatorOwner{}),
		grpc.WithChainUnaryInterceptor(c.unary),
		grpc.WithChainStreamInterceptor(c.stream))
	if err != nil {
		return nil, fmt.Errorf("devstack: firestore counting connection: %w", err)
	}
	return []option.ClientOption{option.WithGRPCConn(conn)}, nil
}

func (c *firestoreCounter) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	d := FirestoreOpCount{Calls: 1}
	switch r := req.(type) {
	case *firestorepb.CommitRequest:
		if err == nil {
			d.Writes = int64(len(r.GetWrites()))
			if c.loses(r) {
				err = status.Error(codes.Unavailable, "devstack: the commit was applied and its answer lost")
			}
		} else if c := status.Code(err); c == codes.Aborted {
			d.Aborted = 1
		} else if c == codes.FailedPrecondition {
			d.Conflicts = 1
		}
	case *firestorepb.BatchWriteRequest:
		if resp, ok := reply.(*firestorepb.BatchWriteResponse); ok && err == nil {
			for _, st := range resp.GetStatus() {
				if codes.Code(st.GetCode()) == codes.OK {
					d.Writes++
				}
			}
		}
	case *firestorepb.GetDocumentRequest:
		if err == nil {
			d.Reads = 1
		}
	}
	c.add(path.Base(method), d)
	return err
}

func (c *firestoreCounter) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	c.add(path.Base(method), FirestoreOpCount{Calls: 1})
	if err != nil {
		return nil, err
	}
	return &countingStream{ClientStream: s, c: c, method: path.Base(method)}, nil
}

// countingStream counts what a streaming RPC returns, message by message.
type countingStream struct {
	grpc.ClientStream
	c      *firestoreCounter
	method string
	docs   int64 // documents a RunQuery returned so far
	done   bool
	counts map[string]bool // the aliases of an aggregation's counts
}

func (s *countingStream) SendMsg(m any) error {
	if r, ok := m.(*firestorepb.RunAggregationQueryRequest); ok {
		s.counts = map[string]bool{}
		for _, a := range r.GetStructuredAggregationQuery().GetAggregations() {
			if a.GetCount() != nil {
				s.counts[a.GetAlias()] = true
			}
		}
	}
	return s.ClientStream.SendMsg(m)
}

func (s *countingStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == nil {
		var d FirestoreOpCount
		switch r := m.(type) {
		case *firestorepb.RunQueryResponse:
			if r.Document != nil {
				d.Reads = 1
				s.docs++
			}
		case *firestorepb.BatchGetDocumentsResponse:
			if r.GetFound() != nil {
				d.Reads = 1
			}
		case *firestorepb.RunAggregationQueryResponse:
			if r.GetResult() != nil {
				d.Reads = aggregationReads(r.GetResult(), s.counts)
			}
		}
		if d != (FirestoreOpCount{}) {
			s.c.add(s.method, d)
		}
		return nil
	}
	if errors.Is(err, io.EOF) && !s.done {
		s.done = true
		if s.method == "RunQuery" && s.docs == 0 {
			s.c.add(s.method, FirestoreOpCount{EmptyQueries: 1})
		}
	}
	return err
}

// aggregationReads is what Firestore bills for one aggregation result: a read per
// batch of up to 1,000 index entries, at least one. The entries are those counted (the
// largest of the result's counts, the aliases in counts); an aggregation without a
// count (sums, averages) is billed as one batch here.
func aggregationReads(r *firestorepb.AggregationResult, counts map[string]bool) int64 {
	var n int64
	for alias, v := range r.GetAggregateFields() {
		if iv, ok := v.GetValueType().(*firestorepb.Value_IntegerValue); ok && counts[alias] && iv.IntegerValue > n {
			n = iv.IntegerValue
		}
	}
	return max(1, (n+999)/1000)
}

// emulatorOwner is the credential the Firestore emulator expects (as the client sends it).
type emulatorOwner struct{}

func (emulatorOwner) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer owner"}, nil
}
func (emulatorOwner) RequireTransportSecurity() bool { return false }

// CountedFirestoreClient is a new Firestore client for project on the emulator at host
// whose operations are counted, with what snapshots its counts: for a test measuring a
// service on a client of its own, apart from the stack's functions.
func CountedFirestoreClient(ctx context.Context, host, project string) (*firestore.Client, func() FirestoreOps, error) {
	c := newFirestoreCounter()
	opts, err := c.clientOptions(host)
	if err != nil {
		return nil, nil, err
	}
	fs, err := firestore.NewClient(ctx, project, opts...)
	if err != nil {
		return nil, nil, err
	}
	return fs, c.snapshot, nil
}

// FirestoreOps is what the stack's functions have cost in Firestore since the start
// (or the last ResetFirestoreOps): take one snapshot before and one after and Sub them
// for what happened in between.
func (s *Stack) FirestoreOps() FirestoreOps {
	if s.firestoreOps == nil {
		return FirestoreOps{}
	}
	return s.firestoreOps.snapshot()
}

// LoseCommitAnswer makes the first commit of the stack's functions that match picks
// (after this call) be applied by Firestore but answered UNAVAILABLE, as a reply lost
// on the network would be: the client's own retry of the commit then meets what the
// first one wrote.
func (s *Stack) LoseCommitAnswer(match func(*firestorepb.CommitRequest) bool) {
	s.firestoreOps.mu.Lock()
	defer s.firestoreOps.mu.Unlock()
	s.firestoreOps.lose = match
}

// ResetFirestoreOps starts the counts again from zero.
func (s *Stack) ResetFirestoreOps() {
	if s.firestoreOps != nil {
		s.firestoreOps.reset()
	}
}
