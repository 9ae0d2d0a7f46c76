;; Declares 64 MiB of initial memory and does nothing with it.
(module
  (memory 1024)
  (func (export "_start")))
