// Reads a shared fifo on the mount with Go's own runtime, as containerd copies a task's output
// (io.Copy until end-of-file) and closes it, for SharedFifosIT.
//
//	go_copy PATH copy    io.Copy to stdout until end-of-file, then "eof".
//	go_copy PATH close   the copy in a goroutine; once something was read, File.Close, which
//	                     waits for the read in progress to return; then "closed". Exit 4 when
//	                     Close does not return within the wait.
//	go_copy PATH write   writes 1 MiB (bytes 0..250 over and over) into the fifo, as a shim
//	                     writes a task's output, then closes it: "wrote 1048576".
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
	flag := os.O_RDONLY
	if os.Args[2] == "write" {
		flag = os.O_WRONLY
	}
	f, err := os.OpenFile(os.Args[1], flag, 0)
	if err != nil {
		fail(1, "open: %v", err)
	}
	switch os.Args[2] {
	case "write":
		data := make([]byte, 1<<20)
		for i := range data {
			data[i] = byte(i % 251)
		}
		done := make(chan int, 1)
		go func() {
			n, err := f.Write(data)
			if err != nil {
				fail(3, "write: %v after %d bytes", err, n)
			}
			done <- n
		}()
		select {
		case n := <-done:
			if err := f.Close(); err != nil {
				fail(3, "close: %v", err)
			}
			fmt.Printf("wrote %d\n", n)
		case <-time.After(wait):
			fail(4, "the write did not end within %v", wait)
		}
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
