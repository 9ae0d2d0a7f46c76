;; memory.fill with a length far past the end of memory: must trap as out of bounds.
(module
  (memory 1)
  (func (export "_start")
    (memory.fill (i32.const 16) (i32.const 0) (i32.const -1))))
