// Reads a shared fifo on the mount with Go's own runtime, as containerd copies a task's output
// (io.Copy until end-of-file) and closes it, for SharedFifosIT.
//
//	go_copy PATH copy    io.Copy to stdout until end-of-file, then "eof".
//	go_copy PATH close   the copy in a goroutine; once something was read, File.Close, which
//	                     waits for the read in progress to return; then "closed". Exit 4 when
//	                     Close does not return within the wait.
package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

const wait = 20 * time.Second

func fail(code int, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(code)
}

func main() {
	if len(os.Args) != 3 {
		fail(2, "usage: go_copy PATH copy|close")
	}
	f, err := os.OpenFile(os.Args[1], os.O_RDONLY, 0)
	if err != nil {
		fail(1, "open: %v", err)
	}
	switch os.Args[2] {
	case "copy":
		if _, err := io.Copy(os.Stdout, f); err != nil {
			fail(3, "copy: %v", err)
		}
		fmt.Println("eof")
		f.Close()
	case "close":
		got := make(chan struct{}, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			buffer := make([]byte, 4096)
			for {
				n, err := f.Read(buffer)
				if n > 0 {
					os.Stdout.Write(buffer[:n])
					select {
					case got <- struct{}{}:
					default:
					}
				}
				if err != nil {
					return
				}
			}
		}()
		select {
		case <-got:
		case <-time.After(wait):
			fail(6, "nothing read within %v", wait)
		}
		closed := make(chan error, 1)
		go func() { closed <- f.Close() }()
		select {
		case <-closed:
		case <-time.After(wait):
			fail(4, "Close waited %v for the read in progress", wait)
		}
		select {
		case <-done:
		case <-time.After(wait):
			fail(5, "the read did not end within %v of Close", wait)
		}
		fmt.Println("closed")
	default:
		fail(2, "unknown mode %s", os.Args[2])
	}
}
