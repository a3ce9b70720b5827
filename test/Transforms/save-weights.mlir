// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.savez('%t/w.npz', used=np.array([1.5, 2.5], np.float32), unused=np.zeros((4,), np.float32))"
// RUN: cd %t && tpuc-opt %s --save-weights="file=%t/saved.npz" | FileCheck %s
// RUN: %python -c "import numpy as np; o=np.load('%t/saved.npz'); print(sorted(o.files)); print(o['used'].tolist())" | FileCheck %s --check-prefix=NPZ

// The module now points at the new file; inline weights stay inline and
// tensors no op uses are dropped.
// CHECK: module @m attributes {{{.*}}top.weight_file = "{{.*}}saved.npz"
// CHECK: top.Weight {value = dense<3.000000e+00> : tensor<2xf32>}
// NPZ: ['used']
// NPZ-NEXT: [1.5, 2.5]

// Writing to a directory that does not exist fails with one line and leaves
// the old attribute in place.
// RUN: cd %t && not tpuc-opt %s --save-weights="file=%t/no/such/dir/x.npz" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: {{.*}}x.npz

module @m attributes {top.state = "TOP_F32", top.weight_file = "w.npz"} {
  func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
    %0 = top.Input %arg0 : (tensor<2xf32>) -> tensor<2xf32> loc("in")
    %1 = top.Weight : () -> tensor<2xf32> loc("used")
    %2 = top.Weight {value = dense<3.0> : tensor<2xf32>} : () -> tensor<2xf32> loc("inline")
    %3 = top.Add %0, %1 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> loc("a")
    %4 = top.Add %3, %2 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> loc("b")
    return %4 : tensor<2xf32>
  }
}
