package packer

import "context"

// Optional interfaces for components that follow packer-plugin-sdk's
// contract rather than this project's (HashiCorp's plugins, run unchanged
// through package sdkrpc). The core checks for them; this project's own
// components implement none.

// SelfRendering is implemented by a component that renders the {{...}}
// templates of its own configuration, as every packer-plugin-sdk component
// does. The core does not render its configuration: it passes it as
// written, followed by the packer_* keys (PackerConfig's, plus
// CoreVersionConfigKey, TemplatePathConfigKey and
// SensitiveVariablesConfigKey) and, to provisioners and post-processors,
// the placeholder map of PlaceholderData; and it prepares it once, never
// again with the build's data.
type SelfRendering interface {
	RendersOwnConfig() bool
}

// More packer_* keys the core passes to SelfRendering components, as
// Packer does.
const (
	CoreVersionConfigKey        = "packer_core_version"
	TemplatePathConfigKey       = "packer_template_path"
	SensitiveVariablesConfigKey = "packer_sensitive_variables"
)

// GeneratingBuilder is implemented by a builder that declares, when
// prepared, the variables it will share through the provision hook, for
// {{build `NAME`}} in later components (packer-plugin-sdk's generated
// variables). GeneratedVars returns the names its last Prepare declared.
type GeneratingBuilder interface {
	GeneratedVars() []string
}

// DataProvisioner is implemented by a provisioner that takes the build's
// data (what the builder shared through the provision hook) with each
// run, as packer-plugin-sdk provisioners do; the core calls
// ProvisionWithData instead of Provision.
type DataProvisioner interface {
	ProvisionWithData(ctx context.Context, ui Ui, comm Communicator, data map[string]any) error
}

// ForcingPostProcessor is implemented by a post-processor that may insist
// on keeping its input artifact even against the template's
// keep_input_artifact (packer-plugin-sdk's forceOverride); the core calls
// PostProcessForcing instead of PostProcess, and keeps the input when keep
// and force are both true, whatever keep_input_artifact says.
type ForcingPostProcessor interface {
	PostProcessForcing(ctx context.Context, ui Ui, a Artifact) (result Artifact, keep, force bool, err error)
}

// placeholderKeys are the build data every builder shares, in Packer's
// words (BuilderDataCommonKeys).
var placeholderKeys = []string{
	"ID", "Host", "Port", "User", "Password", "ConnType", "PackerRunUUID",
	"PackerHTTPPort", "PackerHTTPIP", "PackerHTTPAddr", "SSHPublicKey",
	"SSHPrivateKey", "WinRMPassword",
}

// PlaceholderData is the map Packer passes SelfRendering provisioners and
// post-processors after their configuration, before the build has data:
// each common build key and each of generated maps to a placeholder that
// the SDK recognises (it is how {{build `X`}} is validated before the
// builder runs). WinRMPassword's is {{.WinRMPassword}}, as in Packer.
func PlaceholderData(generated []string) map[string]any {
	out := make(map[string]any, len(placeholderKeys)+len(generated))
	for _, k := range append(append([]string(nil), placeholderKeys...), generated...) {
		out[k] = "Build_" + k + ". To set this dynamically in the Packer template, you must use the `build` function"
	}
	out["WinRMPassword"] = "{{.WinRMPassword}}"
	return out
}
