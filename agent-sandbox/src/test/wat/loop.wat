;; Never ends: one backward branch forever.
(module
  (func (export "_start")
    (loop $forever (br $forever))))
