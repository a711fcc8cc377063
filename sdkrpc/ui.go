package sdkrpc

import (
	"fmt"
	"net/rpc"
	"sync/atomic"

	"github.com/packer-classic/packer/packer"
)

// uiServer serves the core's Ui to an SDK plugin.
type uiServer struct {
	ui       packer.Ui
	register func(name string, svc any) error
	trackers atomic.Uint32
}

func newUiServer(ui packer.Ui) *uiServer { return &uiServer{ui: ui} }

func (u *uiServer) Ask(query string, reply *string) (err error) {
	*reply, err = u.ui.Ask(query)
	return err
}

func (u *uiServer) Say(message string, reply *any) error {
	u.ui.Say(message)
	return nil
}

func (u *uiServer) Message(message string, reply *any) error {
	u.ui.Message(message)
	return nil
}

func (u *uiServer) Error(message string, reply *any) error {
	u.ui.Error(message)
	return nil
}

func (u *uiServer) Machine(args *UiMachineArgs, reply *any) error {
	u.ui.Machine(args.Category, args.Args...)
	return nil
}

// NewTrackProgress registers a tracker service named "Ui"+ID, which the
// plugin then calls once per read of what it tracks. The core's Ui shows
// no progress bars, so the tracker only answers.
func (u *uiServer) NewTrackProgress(args *TrackProgressParameters, reply *string) error {
	if u.register == nil {
		return fmt.Errorf("progress tracking is not served here")
	}
	id := fmt.Sprintf("Track%d", u.trackers.Add(1))
	if err := u.register("Ui"+id, progressTracker{}); err != nil {
		return err
	}
	*reply = id
	return nil
}

// progressTracker answers a tracked read's Add and its Close.
type progressTracker struct{}

func (progressTracker) Add(n int, reply *any) error       { return nil }
func (progressTracker) Close(args *any, reply *any) error { return nil }

// withRegister lets u register trackers on srv.
func (u *uiServer) withRegister(srv *rpc.Server) { u.register = srv.RegisterName }
