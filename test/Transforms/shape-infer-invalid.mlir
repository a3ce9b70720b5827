// RUN: tpuc-opt %s -split-input-file -verify-diagnostics --shape-infer

// Shapes that contradict the operands are rejected, also when the operand
// shapes only became known during inference.

func.func @conv_result_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32> {
  %none = top.None
  // expected-error @+1 {{'top.Conv' op result has shape [1,8,8,8] but its inputs give [1,8,6,6]}}
  %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return %0 : tensor<1x8x8x8xf32>
}

// -----

func.func @conv_rank_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  %none = top.None
  // expected-error @+1 {{'top.Conv' op result has shape [?,?,?] but its inputs give [1,8,8,8]}}
  %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<?x?x?xf32>
  return
}

// -----

func.func @conv_kernel_too_large(%x: tensor<1x4x2x8xf32>, %w: tensor<8x4x3x3xf32>) {
  %none = top.None
  // expected-error @+1 {{'top.Conv' op padded input size 2 is smaller than the kernel size 3 on spatial dim 0}}
  %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x2x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @deconv_pads_too_large(%x: tensor<1x4x1x1xf32>, %w: tensor<4x2x1x1xf32>) {
  %none = top.None
  // expected-error @+1 {{'top.Deconv' op output size -1 on spatial dim 0 is not positive (pads too large)}}
  %0 = top.Deconv %x, %w, %none {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x1x1xf32>, tensor<4x2x1x1xf32>, none) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @matmul_contracting_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  %none = top.None
  // expected-error @+1 {{'top.MatMul' op contracting dims differ: input gives [2,3] and right gives [4,5] (after transposes)}}
  %0 = top.MatMul %a, %b, %none : (tensor<2x3xf32>, tensor<4x5xf32>, none) -> tensor<?x?xf32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  %none = top.None
  // expected-error @+1 {{'top.MatMul' op cannot broadcast shapes [2] and [3]}}
  %0 = top.MatMul %a, %b, %none : (tensor<2x3x4xf32>, tensor<3x4x5xf32>, none) -> tensor<?x?x?xf32>
  return
}

// -----

func.func @matmul_transposed_vector(%a: tensor<4xf32>, %b: tensor<4x5xf32>) {
  %none = top.None
  // expected-error @+1 {{'top.MatMul' op a transposed operand must have rank >= 2}}
  %0 = top.MatMul %a, %b, %none {left_transpose = true} : (tensor<4xf32>, tensor<4x5xf32>, none) -> tensor<?xf32>
  return
}

// -----

func.func @matmul_bias_mismatch(%a: tensor<2x4xf32>, %b: tensor<4x5xf32>, %bias: tensor<4xf32>) {
  // expected-error @+1 {{'top.MatMul' op bias of shape [4] does not broadcast to the output shape [2,5]}}
  %0 = top.MatMul %a, %b, %bias : (tensor<2x4xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pool_result_mismatch(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.MaxPool' op result has shape [1,4,4,?] but its inputs give [1,4,3,3]}}
  %0 = top.MaxPool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x?xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{'top.GlobalAvgPool' op input must have rank >= 2 (N, C, spatial dims), got rank 1}}
  %0 = top.GlobalAvgPool %x : (tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @add_incompatible(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'top.Add' op cannot broadcast shapes [2,3] and [4]}}
  %0 = top.Add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @where_incompatible(%c: tensor<2x1xf32>, %x: tensor<1x3xf32>, %y: tensor<3x3xf32>) {
  // expected-error @+1 {{'top.Where' op cannot broadcast shapes [2,3] and [3,3]}}
  %0 = top.Where %c, %x, %y : (tensor<2x1xf32>, tensor<1x3xf32>, tensor<3x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_result_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Reduce' op result has shape [?,?,?] but its inputs give [2,4]}}
  %0 = top.Reduce %x {axes = array<i64: 1>, keepdims = false, mode = "ReduceMax"} : (tensor<2x3x4xf32>) -> tensor<?x?x?xf32>
  return
}

// -----

// The second input's shape is only known after the Relu is inferred.
func.func @concat_late_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  %0 = top.Relu %b : (tensor<2x4xf32>) -> tensor<?x?xf32>
  // expected-error @+1 {{'top.Concat' op inputs differ in dim 1 (3 vs 4), only the concat axis may differ}}
  %1 = top.Concat %a, %0 {axis = 0 : i64} : (tensor<2x3xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @split_late_mismatch(%a: tensor<2x6xf32>) {
  %0 = top.Relu %a : (tensor<2x6xf32>) -> tensor<?x?xf32>
  // expected-error @+1 {{'top.Split' op split_size sums to 5 but input dim 1 has size 6}}
  %1:2 = top.Split %0 {axis = 1 : i64, split_size = array<i64: 2, 3>} : (tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  return
}

// -----

func.func @slice_result_mismatch(%x: tensor<10xf32>) {
  // expected-error @+1 {{'top.Slice' op result has shape [4] but its inputs give [3]}}
  %0 = top.Slice %x {starts = array<i64: 0>, ends = array<i64: 9>, steps = array<i64: 3>, axes = array<i64: 0>} : (tensor<10xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @reshape_count_mismatch(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Reshape' op shape [5,5] has 25 elements but the input [2,3,4] has 24}}
  %0 = top.Reshape %x {shape = array<i64: 5, 5>} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_type_count_mismatch(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Reshape' op result [5,5] has 25 elements but the input [2,3,4] has 24}}
  %0 = top.Reshape %x : (tensor<2x3x4xf32>) -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_type_not_divisible(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Reshape' op input [2,3,4] cannot be reshaped to [?,5]}}
  %0 = top.Reshape %x : (tensor<2x3x4xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @reshape_not_divisible(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Reshape' op input [2,3,4] cannot be reshaped to [?,5]}}
  %0 = top.Reshape %x {shape = array<i64: -1, 5>} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_two_infer(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Reshape' op shape may contain at most one -1}}
  %0 = top.Reshape %x {shape = array<i64: -1, -1>} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_copy_beyond_rank(%x: tensor<24xf32>) {
  // expected-error @+1 {{'top.Reshape' op shape entry 1 is 0 (copy the input dim) but the input has rank 1}}
  %0 = top.Reshape %x {shape = array<i64: 24, 0>} : (tensor<24xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_negative_entry(%x: tensor<24xf32>) {
  // expected-error @+1 {{'top.Reshape' op shape entries must be >= -1, got -2}}
  %0 = top.Reshape %x {shape = array<i64: -2, 12>} : (tensor<24xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @flatten_reversed(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'top.Flatten' op start_dim 2 is after end_dim 1}}
  %0 = top.Flatten %x {start_dim = 2 : i64, end_dim = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @squeeze_non_unit(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{'top.Squeeze' op cannot squeeze dim 1 of size 3}}
  %0 = top.Squeeze %x {axes = array<i64: 1>} : (tensor<1x3xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @unsqueeze_repeated_axis(%x: tensor<3xf32>) {
  // expected-error @+1 {{'top.Unsqueeze' op axes contain dim 2 twice}}
  %0 = top.Unsqueeze %x {axes = array<i64: 2, -1>} : (tensor<3xf32>) -> tensor<?x?x?xf32>
  return
}

// -----

func.func @expand_incompatible(%x: tensor<3x2xf32>) {
  // expected-error @+1 {{'top.Expand' op cannot broadcast shapes [3,2] and [3,3]}}
  %0 = top.Expand %x {shape = array<i64: 3, 3>} : (tensor<3x2xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_crop_below_zero(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'top.Pad' op paddings (-2, -2) crop dim 1 of size 3 below zero}}
  %0 = top.Pad %x {paddings = array<i64: 0, -2, 0, -2>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @depth2space_late_channels(%x: tensor<1x6x2x2xf32>) {
  %0 = top.Relu %x : (tensor<1x6x2x2xf32>) -> tensor<?x?x?x?xf32>
  // expected-error @+1 {{'top.Depth2Space' op input channels (6) must be divisible by block_h * block_w (4)}}
  %1 = top.Depth2Space %0 {block_h = 2 : i64, block_w = 2 : i64} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

func.func @gather_result_mismatch(%x: tensor<4x5xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{'top.Gather' op result has shape [3,4] but its inputs give [3,5]}}
  %0 = top.Gather %x, %i : (tensor<4x5xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @interp_result_rank(%x: tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{'top.Interp' op result must have the input's rank 4 (>= 2), got rank 3}}
  %0 = top.Interp %x {mode = "nearest", coord_mode = "asymmetric", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x2x3x4xf32>) -> tensor<?x?x?xf32>
  return
}

// -----

// Ops that keep their input's shape are checked too.
func.func @unary_result_mismatch(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'top.Relu' op result has shape [3,2] but its inputs give [2,3]}}
  %0 = top.Relu %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}
