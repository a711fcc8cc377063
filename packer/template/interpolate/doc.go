// Package interpolate renders the template functions Packer users write in
// template strings, such as {{user `name`}}, {{timestamp}} and
// {{build `ID`}}, with Go's text/template.
//
// # Functions
//
//	user `name`           the variable's resolved value
//	env `NAME`            an environment variable; only in "variables" (Context.EnableEnv)
//	timestamp             the run's start as Unix seconds, the same everywhere in a run
//	isotime [`layout`]    the run's start in UTC, RFC 3339 or a Go layout (`2006-01-02`)
//	uuid                  a new random UUID at each use
//	build_name            the build's name
//	build_type            the build's builder type
//	build `KEY`           what the builder shared, e.g. `ID`; known once it has run
//	pwd                   the working directory
//	template_dir          the absolute directory of the template file
//	split s sep n         the n-th (from 0) part of s split on sep
//	replace old new n s   s with the first n old replaced by new (n < 0: all)
//	replace_all old new s s with every old replaced by new
//	lower s, upper s      s in lower or upper case
//	packer_version        the running version
//
// The string argument comes last so that it can be piped in:
// {{ user `name` | replace_all `-` `_` }}.
//
// # Rendering in steps
//
// A template string is often rendered more than once. The core renders it
// first, when the values a component shares at run time are not known yet:
// {{ .Path }} in a shell provisioner's execute_command belongs to the
// provisioner, and {{ build `ID` }} to a builder that has not run. Such
// actions (and blocks and pipelines that use them) come out of a render
// exactly as they were written, so that a later render (by the component,
// or by the core once the builder has shared its data) fills them in, with
// the same result as one render with everything. See Context.Data and
// Context.BuildData.
package interpolate
