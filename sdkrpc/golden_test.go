package sdkrpc

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"io"
	"net"
	"net/rpc"
	"strings"
	"testing"

	"github.com/hashicorp/yamux"

	"github.com/packer-classic/packer/sdkrpc/msgpack"
)

// Golden tests from the wire traces of real Packer v1.16 driving real SDK
// v0.6.10 plugins (shared/sdk-plugins/trace*): what this package writes
// has the traces' sizes (ugorji's encoding, value for value; a map's
// order is free), and what plugins wrote there is read as they meant it.

func encoded(t *testing.T, v any) []byte {
	t.Helper()
	b, err := msgpack.Append(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden_messagesHaveTheSizesOfTheTraces(t *testing.T) {
	for _, c := range []struct {
		what string
		v    any
		size int
	}{
		{"Builder.Prepare request header", &requestHeader{"Builder.Prepare", 0}, 36},
		{"Builder.Prepare response header", &responseHeader{"Builder.Prepare", 0, ""}, 43},
		{"an empty BuilderPrepareResponse", &BuilderPrepareResponse{}, 33},
		{"Builder.Run request header", &requestHeader{"Builder.Run", 1}, 32},
		{"Builder.Run's argument, the id of the core's Ui and Hook", uint32(1), 1},
		{"Ui.Say request header", &requestHeader{"Ui.Say", 0}, 27},
		{"Ui.Say response header", &responseHeader{"Ui.Say", 0, ""}, 34},
		{"Ui.Say's reply", nil, 1},
		{"a Ui.Say", "Using SSH communicator to connect: 127.0.0.1", 46},
		{"Hook.Run request header", &requestHeader{"Hook.Run", 3}, 29},
		{"Hook.Run response header", &responseHeader{"Hook.Run", 3, ""}, 36},
		{"Communicator.Upload request header", &requestHeader{"Communicator.Upload", 1}, 40},
		{"Communicator.Upload response header", &responseHeader{"Communicator.Upload", 1, ""}, 47},
		{"CommunicatorUploadArgs", &CommunicatorUploadArgs{Path: "/tmp/script_8683.sh", ReaderStreamId: 2}, 52},
		{"Communicator.Start request header", &requestHeader{"Communicator.Start", 2}, 39},
		{"CommunicatorStartArgs", &CommunicatorStartArgs{Command: "chmod 0755 /tmp/script_8683.sh", ResponseStreamId: 3}, 105},
		{"CommunicatorStartArgs", &CommunicatorStartArgs{Command: "rm -f /tmp/script_8683.sh", ResponseStreamId: 6}, 100},
		{"Artifact.State's argument", "generated_data", 15},
		{"Artifact.Id request header", &requestHeader{"Artifact.Id", 10}, 32},
		{"PostProcessorProcessResponse", &PostProcessorProcessResponse{Keep: true, ForceOverride: true, StreamId: 1}, 37},
	} {
		if got := len(encoded(t, c.v)); got != c.size {
			t.Errorf("%s: %d bytes, the trace has %d", c.what, got, c.size)
		}
	}
}

// The exit status of a remote command is one gob value of 48 bytes that
// begins with its type's definition.
func TestGolden_commandFinishedIsTheGobOfTheTrace(t *testing.T) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&CommandFinished{ExitStatus: 0}); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 48 || !bytes.HasPrefix(b.Bytes(), []byte("+\x7f\x03\x01\x01\x0fCommandFinished")) {
		t.Errorf("CommandFinished{0} is %d bytes % x, the trace has 48 starting +\\x7f\\x03\\x01\\x01\\x0fCommandFinished", b.Len(), b.Bytes())
	}
}

// A failed call, as the qemu plugin's Builder.Run answered in trace-qemu:
// the header carries the error and the body is an empty map, which the
// client reads and drops, the stream staying usable.
func TestGolden_aFailedCallsEmptyBodyIsDroppedAndTheStreamGoesOn(t *testing.T) {
	core, plugin := net.Pipe()
	defer core.Close()
	client := newClient(core)
	defer client.Close()
	go func() {
		dec := msgpack.NewDecoder(plugin)
		for seq, reply := range []struct {
			err  string
			body []byte
		}{
			{"error downloading ISO: [source path error: stat x: no such file or directory]", []byte{0x80}},
			{"", encoded(t, uint32(2))},
		} {
			dec.Decode() // header
			dec.Decode() // body
			plugin.Write(append(encoded(t, &responseHeader{"Builder.Run", uint64(seq), reply.err}), reply.body...))
		}
	}()
	var id uint32
	err := client.Call("Builder.Run", uint32(1), &id)
	var server rpc.ServerError
	if !errors.As(err, &server) || !strings.HasPrefix(string(server), "error downloading ISO") {
		t.Fatalf("first call: %v, want the plugin's error", err)
	}
	if err := client.Call("Builder.Run", uint32(1), &id); err != nil || id != 2 {
		t.Errorf("second call: %d, %v; want 2 (the stream must survive a failed call)", id, err)
	}
}

// What an SDK plugin sends decodes into this package's messages: ints in
// uint32 fields, nil for absent pointers, maps keyed by name.
func TestGolden_pluginMessagesDecodeIntoTheirShapes(t *testing.T) {
	hook := map[string]any{
		"Name": "packer_provision", "StreamId": int64(1),
		"Data": map[string]any{"ConnType": "ssh", "Host": "127.0.0.1", "ID": "Null", "Port": int64(2299), "SSHAgentAuth": false},
	}
	var args HookRunArgs
	if err := msgpack.Assign(&args, decodeBytes(t, encoded(t, hook))); err != nil {
		t.Fatal(err)
	}
	if args.Name != "packer_provision" || args.StreamId != 1 || args.Data.(map[string]any)["Port"] != int64(2299) {
		t.Errorf("HookRunArgs = %+v", args)
	}
	var resp PostProcessorProcessResponse
	if err := msgpack.Assign(&resp, decodeBytes(t, encoded(t, map[string]any{"Err": nil, "ForceOverride": true, "Keep": true, "StreamId": int64(1)}))); err != nil {
		t.Fatal(err)
	}
	if resp.Err != nil || !resp.Keep || !resp.ForceOverride || resp.StreamId != 1 {
		t.Errorf("PostProcessorProcessResponse = %+v", resp)
	}
}

func decodeBytes(t *testing.T, b []byte) any {
	t.Helper()
	v, err := msgpack.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The broker as the traces show it: the dialer writes the id as 4 bytes
// little-endian and checks the echo; the plugin's ids reach this side's
// accept.
func TestGolden_brokerIdsAreLittleEndianAndEchoed(t *testing.T) {
	coreEnd, pluginEnd := net.Pipe()
	session, err := yamux.Client(coreEnd, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	b := newBroker(session)
	server, err := yamux.Server(pluginEnd, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	first := make(chan []byte, 1)
	go func() {
		for {
			s, err := server.AcceptStream()
			if err != nil {
				return
			}
			var id [4]byte
			io.ReadFull(s, id[:])
			select {
			case first <- append([]byte(nil), id[:]...):
			default:
			}
			if binary.LittleEndian.Uint32(id[:]) == 7 {
				s.Write([]byte{8, 0, 0, 0}) // a wrong ack
				continue
			}
			s.Write(id[:])
		}
	}()
	if _, err := b.dial(0x01020304); err != nil {
		t.Errorf("dial: %v", err)
	}
	if got := <-first; !bytes.Equal(got, []byte{4, 3, 2, 1}) {
		t.Errorf("dial(0x01020304) wrote % x, want 04 03 02 01", got)
	}
	if _, err := b.dial(7); err == nil || !strings.Contains(err.Error(), "acked as 8") {
		t.Errorf("a wrong ack: %v", err)
	}
	// The plugin dials an id this side handed out.
	id := b.nextID()
	go func() {
		s, err := server.OpenStream()
		if err != nil {
			return
		}
		var raw [4]byte
		binary.LittleEndian.PutUint32(raw[:], id)
		s.Write(raw[:])
		io.ReadFull(s, raw[:])
		s.Write([]byte("ok"))
	}()
	c, err := b.accept(id)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ok" {
		t.Errorf("accepted stream read %q, %v", got, err)
	}
}
