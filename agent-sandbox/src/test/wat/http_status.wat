;; Example agentrt WASM tool plugin (see agent-sandbox/PLUGIN-ABI.md): fetches the "url" of its
;; JSON input through the host function agentrt.http_get and returns the host's answer,
;; {"status":…,"body":…,"truncated":…} or {"error":…}, as its own output.
;;
;; The input is the compact JSON the host writes, e.g. {"url":"https://api.example.com/health"};
;; the plugin finds the characters after "url":" up to the next quote (no JSON parser needed for
;; a URL, which has no quotes or escapes).
(module
  (import "agentrt" "http_get" (func $http_get (param i32 i32) (result i64)))

  (memory (export "memory") 1)

  ;; 16: the key to look for (7 bytes); 32: the answer when there is none (31 bytes)
  (data (i32.const 16) "\"url\":\"")
  (data (i32.const 32) "{\"error\":\"no url in the input\"}")

  ;; Bump allocator from 1024 up, growing memory when needed; the instance lives for one call.
  (global $heap (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32) (local $ptr i32) (local $end i32) (local $have i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (local.get $have)) (i32.const 16))
                (i32.const 1)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  ;; Whether the 7 bytes at $p are the key.
  (func $is_key (param $p i32) (result i32) (local $k i32)
    (block $differ
      (loop $next
        (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $k)))
                               (i32.load8_u (i32.add (i32.const 16) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $k) (i32.const 7)))
        (return (i32.const 1))))
    (i32.const 0))

  (func (export "run") (param $ptr i32) (param $len i32) (result i64)
    (local $at i32) (local $limit i32) (local $start i32) (local $end i32)
    (local.set $limit (i32.add (local.get $ptr) (local.get $len)))
    (local.set $at (local.get $ptr))
    (block $none
      (loop $scan
        (br_if $none (i32.gt_u (i32.add (local.get $at) (i32.const 7)) (local.get $limit)))
        (if (call $is_key (local.get $at))
          (then
            (local.set $start (i32.add (local.get $at) (i32.const 7)))
            (local.set $end (local.get $start))
            (block $found
              (loop $quote
                (br_if $found (i32.ge_u (local.get $end) (local.get $limit)))
                (br_if $found (i32.eq (i32.load8_u (local.get $end)) (i32.const 34)))
                (local.set $end (i32.add (local.get $end) (i32.const 1)))
                (br $quote)))
            (return (call $http_get (local.get $start) (i32.sub (local.get $end) (local.get $start))))))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (br $scan)))
    (i64.or (i64.shl (i64.const 32) (i64.const 32)) (i64.const 31)))
)
