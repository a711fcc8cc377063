package plugin

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SDKDefaultName is packer-plugin-sdk's name for a plugin's default
// component (its plugin.DEFAULT_NAME): type NAME in packer-plugin-NAME, as
// DefaultName is here.
const SDKDefaultName = "-packer-default-plugin-name-"

// SDKAPIVersion is the plugin API of packer-plugin-sdk plugins this packer
// runs: "x5.0", which every SDK from v0.2 to v0.6 describes.
const SDKAPIVersion = "x5.0"

// SDKDescription is what a packer-plugin-sdk plugin's describe prints
// (the SDK's SetDescription).
type SDKDescription struct {
	Version        string   `json:"version"`
	SDKVersion     string   `json:"sdk_version"`
	APIVersion     string   `json:"api_version"`
	Builders       []string `json:"builders"`
	PostProcessors []string `json:"post_processors"`
	Provisioners   []string `json:"provisioners"`
	Datasources    []string `json:"datasources"`
	// ProtocolVersion is "v2" from SDK v0.6 on (it can send ConfigSpec as
	// protobuf, which JSON templates never ask for), absent before.
	ProtocolVersion string `json:"protocol_version"`
}

// readSDKDescription reads output as an SDK description when it is one:
// JSON with an api_version. ok is false for anything else, which is then
// read as this packer's own description.
func readSDKDescription(output []byte, binary string) (d Description, ok bool, err error) {
	var probe struct {
		APIVersion *string `json:"api_version"`
	}
	if json.Unmarshal(output, &probe) != nil || probe.APIVersion == nil {
		return Description{}, false, nil
	}
	var sdk SDKDescription
	if err := json.Unmarshal(output, &sdk); err != nil {
		return Description{}, true, fmt.Errorf("%s describe printed a packer-plugin-sdk description that cannot be read: %v", binary, err)
	}
	d = Description{
		Version:        sdk.Version,
		SDK:            &sdk,
		Builders:       sdkNames(sdk.Builders),
		Provisioners:   sdkNames(sdk.Provisioners),
		PostProcessors: sdkNames(sdk.PostProcessors),
	}
	if sdk.APIVersion != SDKAPIVersion {
		return d, true, fmt.Errorf("%s is a packer-plugin-sdk plugin (version %s, SDK %s) for plugin API %s, and this packer runs plugins of API %s (SDK v0.2 to v0.6); install a version of the plugin built for API %s",
			binary, orUnknown(sdk.Version), orUnknown(sdk.SDKVersion), orUnknown(sdk.APIVersion), SDKAPIVersion, SDKAPIVersion)
	}
	return d, true, nil
}

// sdkNames lists an SDK plugin's component names as this packer names
// them: its default component as DefaultName.
func sdkNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == SDKDefaultName {
			n = DefaultName
		}
		out = append(out, n)
	}
	return out
}

// SDKComponentName is the name to start component (as Description names
// it) of an SDK plugin under: `start KIND NAME`.
func SDKComponentName(component string) string {
	if component == DefaultName {
		return SDKDefaultName
	}
	return component
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}
