;; A plugin (ABI of PLUGIN-ABI.md) that returns the content of answer.json from its first mounted
;; directory (WASI descriptor 3), read through WASI: the file is expected to hold JSON already.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  ;; 16: the path (11 bytes)  32: opened fd  36: byte count  40: iovec  64: the error answer (32 bytes)
  (data (i32.const 16) "answer.json")
  (data (i32.const 64) "{\"error\":\"cannot read the file\"}")

  (func (export "alloc") (param $len i32) (result i32) (i32.const 8192))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 11) (i32.const 0)
          (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 32))
      (then (return (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const 32)))))
    ;; read up to 4 KiB at 4096
    (i32.store (i32.const 40) (i32.const 4096))
    (i32.store (i32.const 44) (i32.const 4096))
    (if (call $fd_read (i32.load (i32.const 32)) (i32.const 40) (i32.const 1) (i32.const 36))
      (then (return (i64.or (i64.shl (i64.const 64) (i64.const 32)) (i64.const 32)))))
    (i64.or (i64.shl (i64.const 4096) (i64.const 32)) (i64.extend_i32_u (i32.load (i32.const 36))))))
