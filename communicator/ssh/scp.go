package ssh

// The scp protocol, as the machine's `scp -t` (sink) and `scp -f` (source)
// speak it: records are text lines ("C0644 SIZE NAME", "D0755 0 NAME", "E",
// "T MTIME 0 ATIME 0"), a file's bytes follow its C line, and the receiving
// side acknowledges each step with a 0 byte, or with 1 (error) or 2 (fatal)
// followed by a message line.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/packer-classic/packer/communicator/local"
)

// scpUpload writes src to the file dst. With -p the machine's scp gives
// the file exactly mode, new or not (it clears its umask).
func (c *Communicator) scpUpload(dst string, src io.Reader, mode fs.FileMode) error {
	body, size, cleanup, err := sized(src)
	if err != nil {
		return err
	}
	defer cleanup()
	return c.scp("scp -pt -- "+shellQuote(dst), func(w io.Writer, r *bufio.Reader) error {
		if err := readAck(r); err != nil {
			return err
		}
		return scpSendFile(w, r, path.Base(dst), body, size, mode)
	})
}

// scpDownload writes the file src's content to dst.
func (c *Communicator) scpDownload(src string, dst io.Writer) error {
	return c.scp("scp -f -- "+shellQuote(src), func(w io.Writer, r *bufio.Reader) error {
		if err := ack(w); err != nil {
			return err
		}
		line, err := readRecord(r)
		if err != nil {
			return err
		}
		if line[0] != 'C' {
			return fmt.Errorf("%s is not a regular file (scp sent %q)", src, line)
		}
		_, size, _, err := parseEntry(line)
		if err != nil {
			return err
		}
		return scpReceiveFile(w, r, dst, size)
	})
}

// scpUploadDir sends the local directory src, whose information is info,
// to dst by Packer's trailing-slash rule, creating dst first.
func (c *Communicator) scpUploadDir(dst, src string, info fs.FileInfo, exclude []string) error {
	command := fmt.Sprintf("mkdir -p -- %s && scp -rpt -- %s", shellQuote(dst), shellQuote(dst))
	return c.scp(command, func(w io.Writer, r *bufio.Reader) error {
		if err := readAck(r); err != nil {
			return err
		}
		tree := localTree{
			exclude: exclude,
			enterDir: func(d localEntry) error {
				if d.rel == "" && contentsOnly(src) {
					return nil
				}
				if _, err := fmt.Fprintf(w, "D%04o 0 %s\n", d.info.Mode().Perm(), d.name); err != nil {
					return err
				}
				return readAck(r)
			},
			leaveDir: func(d localEntry) error {
				if d.rel == "" && contentsOnly(src) {
					return nil
				}
				if _, err := io.WriteString(w, "E\n"); err != nil {
					return err
				}
				return readAck(r)
			},
			file: func(f localEntry) error {
				body, err := os.Open(f.full)
				if err != nil {
					return err
				}
				defer body.Close()
				return scpSendFile(w, r, f.name, body, f.info.Size(), f.info.Mode())
			},
		}
		return tree.walk(src, info)
	})
}

// scpDownloadDir receives the directory src into the local directory dst
// by Packer's trailing-slash rule.
func (c *Communicator) scpDownloadDir(src, dst string, exclude []string) error {
	top := dst
	if !contentsOnly(src) {
		top = filepath.Join(dst, path.Base(path.Clean(src)))
	}
	return c.scp("scp -rpf -- "+shellQuote(src), func(w io.Writer, r *bufio.Reader) error {
		down := &scpDirReceiver{w: w, r: r, top: top, exclude: exclude}
		return down.run(src)
	})
}

type scpDirReceiver struct {
	w       io.Writer
	r       *bufio.Reader
	top     string
	exclude []string
}

// receivedDir is a directory being received: where it goes, its path below
// the downloaded directory, its mode (set once it is complete), and
// whether it is left out.
type receivedDir struct {
	local, rel string
	mode       fs.FileMode
	skipped    bool
}

func (d *scpDirReceiver) run(src string) error {
	if err := ack(d.w); err != nil {
		return err
	}
	var stack []receivedDir
	for {
		line, err := readRecord(d.r)
		if err != nil {
			return err
		}
		switch line[0] {
		case 'T':
			// Times are not kept; the modes are.
		case 'D':
			mode, _, name, err := parseEntry(line)
			if err != nil {
				return err
			}
			var dir receivedDir
			if len(stack) == 0 {
				dir = receivedDir{local: d.top, mode: mode}
			} else {
				parent := stack[len(stack)-1]
				rel := path.Join(parent.rel, name)
				dir = receivedDir{local: filepath.Join(parent.local, name), rel: rel, mode: mode,
					skipped: parent.skipped || local.Excluded(rel, d.exclude)}
			}
			if !dir.skipped {
				if err := os.MkdirAll(dir.local, 0o700); err != nil {
					return err
				}
			}
			stack = append(stack, dir)
		case 'E':
			if len(stack) == 0 {
				return errors.New("scp sent an end of directory it had not begun")
			}
			dir := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if !dir.skipped {
				if err := os.Chmod(dir.local, dir.mode); err != nil {
					return err
				}
			}
			if err := ack(d.w); err != nil {
				return err
			}
			if len(stack) == 0 {
				return nil
			}
			continue
		case 'C':
			if len(stack) == 0 {
				return fmt.Errorf("%s is not a directory", src)
			}
			mode, size, name, err := parseEntry(line)
			if err != nil {
				return err
			}
			parent := stack[len(stack)-1]
			rel := path.Join(parent.rel, name)
			if parent.skipped || local.Excluded(rel, d.exclude) {
				err = scpReceiveFile(d.w, d.r, io.Discard, size)
			} else {
				err = receiveLocalFile(d.w, d.r, filepath.Join(parent.local, name), size, mode)
			}
			if err != nil {
				return err
			}
			continue
		default:
			return fmt.Errorf("scp sent %q, which is not an scp record", line)
		}
		if err := ack(d.w); err != nil {
			return err
		}
	}
}

func receiveLocalFile(w io.Writer, r *bufio.Reader, target string, size int64, mode fs.FileMode) error {
	return writeLocalFile(target, mode, func(f io.Writer) error { return scpReceiveFile(w, r, f, size) })
}

// scp runs command (an scp in sink or source mode) on the machine and
// calls talk with its standard input and output. What scp wrote to its
// standard error is added to a failure.
func (c *Communicator) scp(command string, talk func(w io.Writer, r *bufio.Reader) error) error {
	session, w, r, err := c.transferSession()
	if err != nil {
		return err
	}
	defer session.Close()
	var stderr bytes.Buffer
	session.Stderr = &limitedBuffer{buf: &stderr, max: 4 << 10}
	if err := session.Start(command); err != nil {
		return err
	}
	talkErr := talk(w, bufio.NewReaderSize(r, 64<<10))
	w.Close()
	if talkErr != nil {
		// Stop the command rather than wait for it: it may wait for
		// input that will never come.
		session.Close()
	}
	waitErr := session.Wait()
	if talkErr == nil && waitErr == nil {
		return nil
	}
	detail := strings.TrimSpace(stderr.String())
	if detail != "" {
		detail = " (scp's error output: " + detail + ")"
	}
	if errors.Is(talkErr, io.EOF) || errors.Is(talkErr, io.ErrUnexpectedEOF) {
		return fmt.Errorf("scp on the machine stopped early%s; is scp installed there? (else set ssh_file_transfer_method to sftp)", detail)
	}
	if talkErr != nil {
		return fmt.Errorf("%w%s", talkErr, detail)
	}
	return fmt.Errorf("scp on the machine: %w%s", waitErr, detail)
}

// scpSendFile sends a C record and size bytes of body, and waits for scp to
// acknowledge both.
func scpSendFile(w io.Writer, r *bufio.Reader, name string, body io.Reader, size int64, mode fs.FileMode) error {
	if _, err := fmt.Fprintf(w, "C%04o %d %s\n", mode.Perm(), size, name); err != nil {
		return err
	}
	if err := readAck(r); err != nil {
		return err
	}
	n, err := io.CopyN(w, body, size)
	if err != nil {
		if n < size && errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: the source ended after %d of its %d bytes", name, n, size)
		}
		return err
	}
	if err := ack(w); err != nil {
		return err
	}
	return readAck(r)
}

// scpReceiveFile answers a C record and copies the size bytes that follow
// to dst.
func scpReceiveFile(w io.Writer, r *bufio.Reader, dst io.Writer, size int64) error {
	if err := ack(w); err != nil {
		return err
	}
	if _, err := io.CopyN(dst, r, size); err != nil {
		return err
	}
	if err := readAck(r); err != nil {
		return err
	}
	return ack(w)
}

func ack(w io.Writer) error {
	_, err := w.Write([]byte{0})
	return err
}

// readAck reads scp's answer to the last step: nil for a 0 byte, scp's
// message for an error.
func readAck(r *bufio.Reader) error {
	b, err := r.ReadByte()
	if err != nil {
		return err
	}
	if b == 0 {
		return nil
	}
	msg, _ := r.ReadString('\n')
	return fmt.Errorf("%s", strings.TrimSpace(msg))
}

// readRecord reads one record line, turning an error record into an error.
func readRecord(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	switch {
	case line == "":
		return "", errors.New("scp sent an empty record")
	case line[0] == 1 || line[0] == 2:
		return "", fmt.Errorf("%s", strings.TrimSpace(line[1:]))
	}
	return line, nil
}

// parseEntry parses a C or D record: "C0644 SIZE NAME".
func parseEntry(line string) (fs.FileMode, int64, string, error) {
	fields := strings.SplitN(line[1:], " ", 3)
	if len(fields) != 3 {
		return 0, 0, "", fmt.Errorf("scp sent %q, which is not a file or directory record", line)
	}
	mode, err1 := strconv.ParseUint(fields[0], 8, 32)
	size, err2 := strconv.ParseInt(fields[1], 10, 64)
	if err1 != nil || err2 != nil || size < 0 || fields[2] == "" || strings.Contains(fields[2], "/") || fields[2] == ".." {
		return 0, 0, "", fmt.Errorf("scp sent %q, which is not a file or directory record", line)
	}
	return fs.FileMode(mode).Perm(), size, fields[2], nil
}

// sized returns src with its length, which an scp C record must give
// before the bytes: from Seek when src can seek, else by copying src to a
// temporary file first.
func sized(src io.Reader) (io.Reader, int64, func(), error) {
	if s, ok := src.(io.Seeker); ok {
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			if end, err := s.Seek(0, io.SeekEnd); err == nil {
				if _, err := s.Seek(cur, io.SeekStart); err == nil {
					return src, end - cur, func() {}, nil
				}
			}
		}
	}
	tmp, err := os.CreateTemp("", "packer-scp-")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup := func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	size, err := io.Copy(tmp, src)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	return tmp, size, cleanup, nil
}

// limitedBuffer keeps the first max bytes written to it and drops the rest.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// contentsOnly reports whether a directory path ends in a slash, which by
// Packer's (and rsync's) rule copies what the directory holds rather than
// the directory itself.
func contentsOnly(dir string) bool {
	return strings.HasSuffix(dir, "/") || strings.HasSuffix(dir, string(filepath.Separator))
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }
