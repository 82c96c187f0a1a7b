// The signal loop of issue 13 as a Go program: the same calls as signal_loop.c, made through the
// syscall package (which, unlike package os, does not retry EINTR), on the main thread, while the
// Go runtime preempts goroutines with SIGURG and a timer sends SIGALRM every INTERVAL_US
// microseconds to a handler the runtime installs (SA_RESTART, as for every signal it catches).
//
// usage: signal_loop DIR SECONDS MAX_ITERATIONS INTERVAL_US
// prints the same lines as signal_loop.c.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The main goroutine stays on the main thread, which is the one a process-directed signal
// (the timer's) prefers: the signals reach the thread that waits in the file system.
func init() {
	runtime.LockOSThread()
}

var names = []string{"create", "stat", "symlink", "unlink-link", "utime", "unlink-file"}

type itimerval struct {
	interval syscall.Timeval
	value    syscall.Timeval
}

func setitimer(usec int64) error {
	t := itimerval{syscall.Timeval{Usec: usec}, syscall.Timeval{Usec: usec}}
	_, _, e := syscall.Syscall(syscall.SYS_SETITIMER, 0, uintptr(unsafe.Pointer(&t)), 0)
	if e != 0 {
		return e
	}
	return nil
}

func errnoOf(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return int(e)
	}
	return -1
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintf(os.Stderr, "usage: %s DIR SECONDS MAX_ITERATIONS INTERVAL_US\n", os.Args[0])
		os.Exit(2)
	}
	dir := os.Args[1]
	seconds, _ := strconv.ParseFloat(os.Args[2], 64)
	maxIterations, _ := strconv.ParseInt(os.Args[3], 10, 64)
	intervalUs, _ := strconv.ParseInt(os.Args[4], 10, 64)
	file, link := dir+"/f", dir+"/l"

	var signals int64
	alarms := make(chan os.Signal, 64)
	signal.Notify(alarms, syscall.SIGALRM)
	go func() {
		for range alarms {
			atomic.AddInt64(&signals, 1)
		}
	}()
	// A busy goroutine keeps the runtime's preemption (SIGURG) going all along.
	stop := int32(0)
	go func() {
		x := 0
		for atomic.LoadInt32(&stop) == 0 {
			x++
		}
	}()
	if err := setitimer(intervalUs); err != nil {
		fmt.Fprintln(os.Stderr, "setitimer:", err)
		os.Exit(2)
	}

	tally := make([]map[int]int64, len(names))
	for i := range tally {
		tally[i] = map[int]int64{}
	}
	count := func(call int, err error) { tally[call][errnoOf(err)]++ }
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	times := []syscall.Timespec{{Nsec: (1 << 30) - 1}, {Nsec: (1 << 30) - 1}} // UTIME_NOW
	var iterations int64
	for ; iterations < maxIterations && time.Now().Before(deadline); iterations++ {
		fd, err := syscall.Open(file, syscall.O_CREAT|syscall.O_WRONLY|syscall.O_TRUNC, 0644)
		if err == nil {
			syscall.Close(fd)
		}
		count(0, err)
		var st syscall.Stat_t
		count(1, syscall.Stat(file, &st))
		count(2, syscall.Symlink("f", link))
		count(3, syscall.Unlink(link))
		count(4, syscall.UtimesNano(file, times))
		count(5, syscall.Unlink(file))
	}
	setitimer(0)
	atomic.StoreInt32(&stop, 1)
	signal.Stop(alarms)

	for call, name := range names {
		for e := -1; e <= 134; e++ {
			if n := tally[call][e]; n > 0 {
				fmt.Printf("%s %d %d\n", name, e, n)
			}
		}
	}
	fmt.Printf("iterations %d\n", iterations)
	fmt.Printf("signals %d\n", atomic.LoadInt64(&signals))
}
