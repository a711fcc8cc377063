package sdkrpc

import (
	"net/rpc"
	"sync"

	"github.com/packer-classic/packer/packer"
)

// artifactClient is an artifact an SDK plugin serves. Its facts
// (BuilderId, Files, Id, String) are read once, on first use, as
// packer.Artifact allows; State and Destroy are calls every time.
type artifactClient struct {
	conn   *Conn
	client *rpc.Client

	once                   sync.Once
	builderID, id, display string
	files                  []string
}

// dialArtifact opens the artifact the plugin serves under id.
func dialArtifact(conn *Conn, id uint32) (packer.Artifact, error) {
	client, err := conn.broker.dialClient(id)
	if err != nil {
		return nil, callFailed("reading the artifact", err, nil, conn.config.Explain)
	}
	return &artifactClient{conn: conn, client: client}, nil
}

func (a *artifactClient) facts() {
	a.once.Do(func() {
		for _, c := range []struct {
			method string
			reply  any
		}{{"BuilderId", &a.builderID}, {"Id", &a.id}, {"String", &a.display}, {"Files", &a.files}} {
			if err := a.client.Call("Artifact."+c.method, nil, c.reply); err != nil {
				a.conn.config.Logger.Printf("sdk plugin: Artifact.%s: %v", c.method, err)
			}
		}
	})
}

func (a *artifactClient) BuilderId() string { a.facts(); return a.builderID }
func (a *artifactClient) Files() []string   { a.facts(); return a.files }
func (a *artifactClient) Id() string        { a.facts(); return a.id }
func (a *artifactClient) String() string    { a.facts(); return a.display }

// State returns what the plugin's artifact says for name, or nil when the
// call fails (logged).
func (a *artifactClient) State(name string) any {
	var v any
	if err := a.client.Call("Artifact.State", name, &v); err != nil {
		a.conn.config.Logger.Printf("sdk plugin: Artifact.State(%q): %v", name, err)
		return nil
	}
	return v
}

// Destroy asks the plugin to destroy its artifact. The SDK replies with an
// error value ({"Message": ...}) or fails the call.
func (a *artifactClient) Destroy() error {
	var reply any
	if err := a.client.Call("Artifact.Destroy", nil, &reply); err != nil {
		return callFailed("Artifact.Destroy", err, nil, a.conn.config.Explain)
	}
	if m, ok := reply.(map[string]any); ok {
		var e BasicError
		if msg, ok := m["Message"].(string); ok {
			e.Message = msg
			return e.err()
		}
	}
	return nil
}

// artifactServer serves an artifact of the core's to an SDK plugin (the
// input of an SDK post-processor). A failed Destroy fails the call: the
// SDK's client reads that as the error, and the reply's typed error is
// never needed.
type artifactServer struct {
	a packer.Artifact
}

func (s artifactServer) BuilderId(args *any, reply *string) error {
	*reply = s.a.BuilderId()
	return nil
}
func (s artifactServer) Files(args *any, reply *[]string) error { *reply = s.a.Files(); return nil }
func (s artifactServer) Id(args *any, reply *string) error      { *reply = s.a.Id(); return nil }
func (s artifactServer) String(args *any, reply *string) error  { *reply = s.a.String(); return nil }

func (s artifactServer) State(name string, reply *any) error {
	*reply = wireValue(s.a.State(name))
	return nil
}

func (s artifactServer) Destroy(args *any, reply *any) error { return s.a.Destroy() }
