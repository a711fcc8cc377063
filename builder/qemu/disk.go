package qemu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// qemuImg finds qemu-img: beside qemu_binary when that names a directory,
// else on PATH.
func qemuImg(qemuBinary string) (string, error) {
	if dir := filepath.Dir(qemuBinary); dir != "." {
		beside := filepath.Join(dir, "qemu-img")
		if _, err := os.Stat(beside); err == nil {
			return beside, nil
		}
	}
	p, err := exec.LookPath("qemu-img")
	if err != nil {
		return "", fmt.Errorf("qemu-img is needed to make the disk and is not on PATH (Debian: apt-get install qemu-utils): %w", err)
	}
	return p, nil
}

// imageInfo is what qemu-img info says of an image.
type imageInfo struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
}

func readImageInfo(ctx context.Context, img, p string) (imageInfo, error) {
	out, err := runTool(ctx, img, "info", "--output=json", p)
	if err != nil {
		return imageInfo{}, err
	}
	var info imageInfo
	if err := json.Unmarshal(out, &info); err != nil {
		return imageInfo{}, fmt.Errorf("qemu-img info %s: %w", p, err)
	}
	return info, nil
}

// sizeBytes reads a disk_size (a number with an optional K, M, G or T
// suffix, as prepare leaves it) as bytes.
func sizeBytes(size string) (int64, error) {
	digits := strings.TrimRight(size, "KMGT")
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("disk_size %q: %w", size, err)
	}
	shift := map[string]uint{"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[size[len(digits):]]
	return n << shift, nil
}

// makeDisk makes the disk the machine boots, at dst: an empty disk for an
// ISO install, else a copy of the source image or a qcow2 overlay on it,
// grown to disk_size when that is set and larger.
func makeDisk(ctx context.Context, c *Config, img, src, dst string) error {
	if !c.DiskImage {
		_, err := runTool(ctx, img, "create", "-f", c.Format, dst, c.DiskSize)
		return err
	}
	info, err := readImageInfo(ctx, img, src)
	if err != nil {
		return err
	}
	if c.UseBackingFile {
		abs, err := filepath.Abs(src)
		if err != nil {
			return err
		}
		if _, err := runTool(ctx, img, "create", "-f", "qcow2", "-b", abs, "-F", info.Format, dst); err != nil {
			return err
		}
	} else if _, err := runTool(ctx, img, "convert", "-f", info.Format, "-O", c.Format, src, dst); err != nil {
		return err
	}
	if c.DiskSize == "" {
		return nil
	}
	want, err := sizeBytes(c.DiskSize)
	if err != nil {
		return err
	}
	if want <= info.VirtualSize {
		return nil
	}
	_, err = runTool(ctx, img, "resize", "-f", c.Format, dst, strconv.FormatInt(want, 10))
	return err
}

// compactDisk rewrites the disk with qemu-img convert, which leaves out
// the space the guest does not use (and compresses a qcow2 with
// disk_compression), through a temporary file renamed over the disk.
func compactDisk(ctx context.Context, c *Config, img, disk string) error {
	tmp := disk + ".compacting"
	args := []string{"convert", "-f", c.Format, "-O", c.Format}
	if c.DiskCompression && c.Format == "qcow2" {
		args = append(args, "-c")
	}
	if _, err := runTool(ctx, img, append(args, disk, tmp)...); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, disk)
}
