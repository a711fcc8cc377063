// Package archive writes archives for components: a tar (plain or with any
// of the compressions below), a zip, or one file compressed alone. It is
// the one archive writer of the project; the compress post-processor packs
// an artifact's files with it, and a builder can write a whole directory
// tree (owners, modes, symlinks, hard links, devices) with AddTree.
//
// Everything streams: a file's bytes go from disk through the compressor to
// the archive in bounded buffers, whatever its size. The compressions that
// can use several cores do (gzip, BGZF, LZ4, zstd); xz and bzip2 run on one,
// as their libraries do.
//
// Create writes to a file through packer.OpenOutput under a temporary name
// beside the output and renames it into place on Close, so that a relative
// output stays under the working directory and a failed or cancelled
// archive never leaves a partial file. NewWriter writes to any io.Writer.
package archive
