;; A small WASI command that does one thing per run, chosen by argv[1]: its first letter is the
;; operation, its second (a digit) the directory descriptor (3 = the first mount).
;;   r<fd> PATH        copy the file PATH (relative to the descriptor) to stdout
;;   w<fd> PATH        write stdin to PATH (created or truncated)
;;   s<fd> TARGET LINK create the symbolic link LINK pointing at TARGET
;;   S<fd> TARGET LINK create it, then copy what LINK opens to stdout
;;   e                 copy the environment (NUL-separated NAME=VALUE) to stdout
;;   c                 write the realtime clock (8 bytes, little-endian nanoseconds) to stdout
;;   n                 write 8 random bytes to stdout
;;   i                 copy stdin to stdout
;; A failing WASI call ends the run with proc_exit(errno); an unknown operation with exit code 99.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; 0: argc / environ count   4: buffer size   8: opened fd   12: byte count
  ;; 16: one iovec (ptr, len)  24: clock / random bytes   64: argv pointers   256: argv strings
  ;; 4096: data buffer (64 KiB)
  (memory (export "memory") 2)

  (func $arg (param $i i32) (result i32)
    (i32.load (i32.add (i32.const 64) (i32.shl (local.get $i) (i32.const 2)))))

  (func $strlen (param $p i32) (result i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $proc_exit (local.get $errno)))))

  (func $write_all (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (call $check (call $fd_write (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 12))))

  ;; Copies $in to $out until end of file.
  (func $pump (param $in i32) (param $out i32)
    (loop $more
      (i32.store (i32.const 16) (i32.const 4096))
      (i32.store (i32.const 20) (i32.const 65536))
      (call $check (call $fd_read (local.get $in) (i32.const 16) (i32.const 1) (i32.const 12)))
      (if (i32.load (i32.const 12))
        (then
          (call $write_all (local.get $out) (i32.const 4096) (i32.load (i32.const 12)))
          (br $more)))))

  (func $open (param $dirfd i32) (param $path i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $check
      (call $path_open (local.get $dirfd) (i32.const 1) (local.get $path) (call $strlen (local.get $path))
        (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 8)))
    (i32.load (i32.const 8)))

  (func (export "_start") (local $op i32) (local $dirfd i32) (local $fd i32)
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $check (call $args_get (i32.const 64) (i32.const 256)))
    (local.set $op (i32.load8_u (call $arg (i32.const 1))))
    (local.set $dirfd (i32.sub (i32.load8_u (i32.add (call $arg (i32.const 1)) (i32.const 1))) (i32.const 48)))
    ;; r: read a file (rights: fd_read)
    (if (i32.eq (local.get $op) (i32.const 114))
      (then
        (local.set $fd (call $open (local.get $dirfd) (call $arg (i32.const 2)) (i32.const 0) (i64.const 2)))
        (call $pump (local.get $fd) (i32.const 1))
        (return)))
    ;; w: write a file (oflags: creat | trunc, rights: fd_write)
    (if (i32.eq (local.get $op) (i32.const 119))
      (then
        (local.set $fd (call $open (local.get $dirfd) (call $arg (i32.const 2)) (i32.const 9) (i64.const 64)))
        (call $pump (i32.const 0) (local.get $fd))
        (call $check (call $fd_close (local.get $fd)))
        (return)))
    ;; S: symlink, then read through it
    (if (i32.eq (local.get $op) (i32.const 83))
      (then
        (call $check
          (call $path_symlink (call $arg (i32.const 2)) (call $strlen (call $arg (i32.const 2)))
            (local.get $dirfd) (call $arg (i32.const 3)) (call $strlen (call $arg (i32.const 3)))))
        (local.set $fd (call $open (local.get $dirfd) (call $arg (i32.const 3)) (i32.const 0) (i64.const 2)))
        (call $pump (local.get $fd) (i32.const 1))
        (return)))
    ;; s: symlink
    (if (i32.eq (local.get $op) (i32.const 115))
      (then
        (call $check
          (call $path_symlink (call $arg (i32.const 2)) (call $strlen (call $arg (i32.const 2)))
            (local.get $dirfd) (call $arg (i32.const 3)) (call $strlen (call $arg (i32.const 3)))))
        (return)))
    ;; e: environment (strings land in the data buffer, pointers after argv's)
    (if (i32.eq (local.get $op) (i32.const 101))
      (then
        (call $check (call $environ_sizes_get (i32.const 0) (i32.const 4)))
        (call $check (call $environ_get (i32.const 160) (i32.const 4096)))
        (call $write_all (i32.const 1) (i32.const 4096) (i32.load (i32.const 4)))
        (return)))
    ;; c: realtime clock, precision 1 ns
    (if (i32.eq (local.get $op) (i32.const 99))
      (then
        (call $check (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 24)))
        (call $write_all (i32.const 1) (i32.const 24) (i32.const 8))
        (return)))
    ;; n: eight random bytes
    (if (i32.eq (local.get $op) (i32.const 110))
      (then
        (call $check (call $random_get (i32.const 24) (i32.const 8)))
        (call $write_all (i32.const 1) (i32.const 24) (i32.const 8))
        (return)))
    ;; i: stdin to stdout
    (if (i32.eq (local.get $op) (i32.const 105))
      (then
        (call $pump (i32.const 0) (i32.const 1))
        (return)))
    (call $proc_exit (i32.const 99)))
)
