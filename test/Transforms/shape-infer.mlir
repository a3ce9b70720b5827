// RUN: tpuc-opt %s --shape-infer | FileCheck %s

// Unknown result dims are filled from operand shapes and attributes; unknown
// operand dims stay unknown; function result types follow the returned
// values.

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: -> tensor<1x8x4x3xf32>
func.func @conv2d(%x: tensor<1x4x9x9xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<?x?x?x?xf32> {
  %none = top.None
  // Dilated kernel 5; H: (9 + 1 + 1 - 5) / 2 + 1, W: (9 - 5) / 2 + 1.
  // CHECK: top.Conv {{.*}} -> tensor<1x8x4x3xf32>
  %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, dilations = array<i64: 2, 2>} : (tensor<1x4x9x9xf32>, tensor<8x4x3x3xf32>, none) -> tensor<?x?x?x?xf32>
  // CHECK: return %{{.*}} : tensor<1x8x4x3xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @conv1d_dynamic_batch
func.func @conv1d_dynamic_batch(%x: tensor<?x4x16xf32>, %w: tensor<6x2x3xf32>) -> tensor<?x?x?xf32> {
  %none = top.None
  // CHECK: top.Conv {{.*}} -> tensor<?x6x8xf32>
  %0 = top.Conv %x, %w, %none {kernel_shape = array<i64: 3>, strides = array<i64: 2>, pads = array<i64: 1, 0>, dilations = array<i64: 1>, group = 2 : i64} : (tensor<?x4x16xf32>, tensor<6x2x3xf32>, none) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// CHECK-LABEL: func.func @deconv
func.func @deconv(%x: tensor<1x4x8x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32> {
  %none = top.None
  // Channels 3 * group; H: (8 - 1) * 2 - 1 - 1 + (3 - 1) + 1 + 1.
  // CHECK: top.Deconv {{.*}} -> tensor<1x6x16x?xf32>
  %0 = top.Deconv %x, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x?xf32>, tensor<4x3x3x3xf32>, none) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x6xf32>, %bt: tensor<5x6x4xf32>,
                  %at: tensor<2x4x3xf32>, %m: tensor<4x5xf32>, %v: tensor<4xf32>,
                  %bias: tensor<6xf32>) {
  %none = top.None
  // Batch dims broadcast.
  // CHECK: top.MatMul {{.*}} -> tensor<2x5x3x6xf32>
  %0 = top.MatMul %a, %b, %bias : (tensor<2x1x3x4xf32>, tensor<5x4x6xf32>, tensor<6xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.MatMul {{.*}} -> tensor<2x5x3x6xf32>
  %1 = top.MatMul %a, %bt, %none {right_transpose = true} : (tensor<2x1x3x4xf32>, tensor<5x6x4xf32>, none) -> tensor<?x?x?x?xf32>
  // CHECK: top.MatMul {{.*}} -> tensor<2x3x5xf32>
  %2 = top.MatMul %at, %m, %none {left_transpose = true} : (tensor<2x4x3xf32>, tensor<4x5xf32>, none) -> tensor<?x?x?xf32>
  // 1-D operands are promoted and their added dim dropped.
  // CHECK: top.MatMul {{.*}} -> tensor<5xf32>
  %3 = top.MatMul %v, %m, %none : (tensor<4xf32>, tensor<4x5xf32>, none) -> tensor<?xf32>
  // CHECK: top.MatMul {{.*}} -> tensor<2x3xf32>
  %4 = top.MatMul %at, %v, %none {left_transpose = true} : (tensor<2x4x3xf32>, tensor<4xf32>, none) -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func.func @pools
func.func @pools(%x: tensor<1x4x8x5xf32>, %y: tensor<1x4x10xf32>, %d: tensor<?x4x8x8xf32>) {
  // ceil_mode: H gives ceil(5 / 2) + 1 = 4; W gives ceil(5 / 2) + 1 = 4 but
  // that last window would start in the right padding, so 3.
  // CHECK: top.MaxPool {{.*}} -> tensor<1x4x4x3xf32>
  %0 = top.MaxPool %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>, ceil_mode = true} : (tensor<1x4x8x5xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.MaxPool {{.*}} -> tensor<1x4x3x3xf32>
  %1 = top.MaxPool %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<1x4x8x5xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.AvgPool {{.*}} -> tensor<1x4x4xf32>
  %2 = top.AvgPool %y {kernel_shape = array<i64: 3>, strides = array<i64: 3>, pads = array<i64: 1, 1>} : (tensor<1x4x10xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.GlobalAvgPool {{.*}} -> tensor<?x4x1x1xf32>
  %3 = top.GlobalAvgPool %d : (tensor<?x4x8x8xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.AdaptiveAvgPool {{.*}} -> tensor<?x4x3x5xf32>
  %4 = top.AdaptiveAvgPool %d {output_size = array<i64: 3, 5>} : (tensor<?x4x8x8xf32>) -> tensor<?x?x?x?xf32>
  return
}

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>, %c: tensor<?x4xf32>, %d: tensor<1x4xf32>) {
  // CHECK: top.Add {{.*}} -> tensor<2x3x4xf32>
  %0 = top.Add %a, %b : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.Sub {{.*}} -> tensor<?x4xf32>
  %1 = top.Sub %c, %d : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x?xf32>
  // CHECK: top.Mul {{.*}} -> tensor<2x3x4xf32>
  %2 = top.Mul %b, %a : (tensor<3x1xf32>, tensor<2x1x4xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.Div {{.*}} -> tensor<2x1x4xf32>
  %3 = top.Div %a, %d : (tensor<2x1x4xf32>, tensor<1x4xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.Max {{.*}} -> tensor<3x4xf32>
  %4 = top.Max %b, %d : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<?x?xf32>
  // CHECK: top.Min {{.*}} -> tensor<?x4xf32>
  %5 = top.Min %d, %c : (tensor<1x4xf32>, tensor<?x4xf32>) -> tensor<?x?xf32>
  // CHECK: top.Compare {{.*}} -> tensor<2x3x4xf32>
  %6 = top.Compare %a, %b {mode = "Less"} : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<?x?x?xf32>
  // All three operands broadcast together.
  // CHECK: top.Where {{.*}} -> tensor<2x3x4xf32>
  %7 = top.Where %b, %d, %a : (tensor<3x1xf32>, tensor<1x4xf32>, tensor<2x1x4xf32>) -> tensor<?x?x?xf32>
  return
}

// CHECK-LABEL: func.func @reduce
func.func @reduce(%x: tensor<2x3x?x5xf32>) {
  // CHECK: top.Reduce {{.*}} -> tensor<2x1x?x1xf32>
  %0 = top.Reduce %x {axes = array<i64: 1, -1>, mode = "ReduceMean"} : (tensor<2x3x?x5xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Reduce {{.*}} -> tensor<3x?xf32>
  %1 = top.Reduce %x {axes = array<i64: 0, 3>, keepdims = false, mode = "ReduceSum"} : (tensor<2x3x?x5xf32>) -> tensor<?x?xf32>
  // CHECK: top.Arg {{.*}} -> tensor<2x3x?x1xf32>
  %2 = top.Arg %x {axis = -1 : i64, mode = "ArgMin"} : (tensor<2x3x?x5xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Arg {{.*}} -> tensor<2x?x5xf32>
  %3 = top.Arg %x {axis = 1 : i64, keepdims = false, mode = "ArgMax"} : (tensor<2x3x?x5xf32>) -> tensor<?x?x?xf32>
  return
}

// CHECK-LABEL: func.func @concat_split
func.func @concat_split(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>, %c: tensor<?x2x4xf32>, %d: tensor<1x?x4xf32>) {
  // CHECK: top.Concat {{.*}} -> tensor<1x5x4xf32>
  %0 = top.Concat %a, %b : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<?x?x?xf32>
  // An unknown size along the axis makes the sum unknown; other dims merge.
  // CHECK: top.Concat {{.*}} -> tensor<1x?x4xf32>
  %1 = top.Concat %c, %d : (tensor<?x2x4xf32>, tensor<1x?x4xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.Split {{.*}} -> (tensor<1x2x4xf32>, tensor<1x3x4xf32>)
  %2:2 = top.Split %0 {axis = -2 : i64, split_size = array<i64: 2, 3>} : (tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>, tensor<?x?x?xf32>)
  return
}

// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<2x4x6x8xf32>) {
  // Python semantics: [1:5:2] of 6 has 2 elements, [-1::-3] of 8 has 3,
  // [-100:3] of 4 is clamped to [0:3].
  // CHECK: top.Slice {{.*}} -> tensor<2x3x2x3xf32>
  %0 = top.Slice %x {starts = array<i64: 1, -1, -100>, ends = array<i64: 5, -9223372036854775807, 3>, steps = array<i64: 2, -3, 1>, axes = array<i64: 2, 3, 1>} : (tensor<2x4x6x8xf32>) -> tensor<?x?x?x?xf32>
  // A step longer than the dim takes one element, even the most negative one.
  // CHECK: top.Slice {{.*}} -> tensor<2x4x6x1xf32>
  %2 = top.Slice %x {starts = array<i64: -1>, ends = array<i64: -9223372036854775808>, steps = array<i64: -9223372036854775808>, axes = array<i64: 3>} : (tensor<2x4x6x8xf32>) -> tensor<?x?x?x?xf32>
  // An empty range gives a zero-size dim.
  // CHECK: top.Slice {{.*}} -> tensor<0x4x6x8xf32>
  %1 = top.Slice %x {starts = array<i64: 1>, ends = array<i64: 1>, steps = array<i64: 1>, axes = array<i64: 0>} : (tensor<2x4x6x8xf32>) -> tensor<?x?x?x?xf32>
  return
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<2x3x4xf32>, %d: tensor<?x3x4xf32>) {
  // 0 copies the input dim, -1 takes the rest.
  // CHECK: top.Reshape {{.*}} -> tensor<2x12xf32>
  %0 = top.Reshape %x {shape = array<i64: 0, -1>} : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  // Without the attribute, a single unknown result dim is solved.
  // CHECK: top.Reshape {{.*}} -> tensor<6x4xf32>
  %1 = top.Reshape %x : (tensor<2x3x4xf32>) -> tensor<?x4xf32>
  // With an unknown input dim, -1 stays unknown.
  // CHECK: top.Reshape {{.*}} -> tensor<?x12xf32>
  %2 = top.Reshape %d {shape = array<i64: -1, 12>} : (tensor<?x3x4xf32>) -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func.func @layout
func.func @layout(%x: tensor<2x3x4x5xf32>, %o: tensor<1x3x1x4xf32>, %e: tensor<3x1xf32>) {
  // CHECK: top.Permute {{.*}} -> tensor<2x4x5x3xf32>
  %0 = top.Permute %x {order = array<i64: 0, 2, 3, 1>} : (tensor<2x3x4x5xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Flatten {{.*}} -> tensor<2x60xf32>
  %1 = top.Flatten %x : (tensor<2x3x4x5xf32>) -> tensor<?x?xf32>
  // CHECK: top.Flatten {{.*}} -> tensor<6x4x5xf32>
  %2 = top.Flatten %x {start_dim = 0 : i64, end_dim = -3 : i64} : (tensor<2x3x4x5xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.Squeeze {{.*}} -> tensor<3x4xf32>
  %3 = top.Squeeze %o {axes = array<i64>} : (tensor<1x3x1x4xf32>) -> tensor<?x?xf32>
  // CHECK: top.Squeeze {{.*}} -> tensor<3x1x4xf32>
  %4 = top.Squeeze %o {axes = array<i64: 0>} : (tensor<1x3x1x4xf32>) -> tensor<?x?x?xf32>
  // Axes are positions in the output.
  // CHECK: top.Unsqueeze {{.*}} -> tensor<1x3x1x1xf32>
  %5 = top.Unsqueeze %e {axes = array<i64: 0, -1>} : (tensor<3x1xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Expand {{.*}} -> tensor<2x3x4xf32>
  %6 = top.Expand %e {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<?x?x?xf32>
  // CHECK: top.Tile {{.*}} -> tensor<6x2xf32>
  %7 = top.Tile %e {repeats = array<i64: 2, 2>} : (tensor<3x1xf32>) -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func.func @pad_resize
func.func @pad_resize(%x: tensor<1x2x3x4xf32>, %d: tensor<1x2x?x4xf32>, %s: tensor<1x8x3x4xf32>) {
  // Begin pads, then end pads; negative pads crop.
  // CHECK: top.Pad {{.*}} -> tensor<1x2x6x3xf32>
  %0 = top.Pad %x {paddings = array<i64: 0, 0, 1, -1, 0, 0, 2, 0>} : (tensor<1x2x3x4xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Pad {{.*}} -> tensor<1x2x?x6xf32>
  %1 = top.Pad %d {paddings = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, mode = "edge"} : (tensor<1x2x?x4xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Upsample {{.*}} -> tensor<1x2x6x12xf32>
  %2 = top.Upsample %x {scale_h = 2 : i64, scale_w = 3 : i64} : (tensor<1x2x3x4xf32>) -> tensor<?x?x?x?xf32>
  // floor(3 * 2.5) = 7, floor(4 * 0.6) = 2.
  // CHECK: top.Interp {{.*}} -> tensor<1x2x7x2xf32>
  %3 = top.Interp %x {mode = "nearest", coord_mode = "asymmetric", scale_h = 2.5 : f64, scale_w = 0.6 : f64} : (tensor<1x2x3x4xf32>) -> tensor<?x?x?x?xf32>
  // A known result size wins over the scale.
  // CHECK: top.Interp {{.*}} -> tensor<1x2x8x2xf32>
  %4 = top.Interp %x {mode = "linear", coord_mode = "half_pixel", scale_h = 2.5 : f64, scale_w = 0.6 : f64} : (tensor<1x2x3x4xf32>) -> tensor<?x?x8x?xf32>
  // CHECK: top.Depth2Space {{.*}} -> tensor<1x2x6x8xf32>
  %5 = top.Depth2Space %s {block_h = 2 : i64, block_w = 2 : i64} : (tensor<1x8x3x4xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Depth2Space {{.*}} -> tensor<1x48x1x2xf32>
  %6 = top.Depth2Space %s {block_h = 3 : i64, block_w = 2 : i64, is_inversed = true} : (tensor<1x8x3x4xf32>) -> tensor<?x?x?x?xf32>
  return
}

// CHECK-LABEL: func.func @gather
func.func @gather(%x: tensor<4x5x6xf32>) {
  %i = top.Weight {value = dense<[[0, 1, 2], [3, 4, 0]]> : tensor<2x3xi64>} : () -> tensor<2x3xi64>
  %s = top.Weight {value = dense<2> : tensor<i64>} : () -> tensor<i64>
  // CHECK: top.Gather {{.*}} -> tensor<4x2x3x6xf32>
  %0 = top.Gather %x, %i {axis = 1 : i64} : (tensor<4x5x6xf32>, tensor<2x3xi64>) -> tensor<?x?x?x?xf32>
  // A scalar index removes the axis.
  // CHECK: top.Gather {{.*}} -> tensor<4x5xf32>
  %1 = top.Gather %x, %s {axis = -1 : i64} : (tensor<4x5x6xf32>, tensor<i64>) -> tensor<?x?xf32>
  return
}

// Shapes flow through a chain, including ops that keep their input's shape,
// and the function's result types follow.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%{{.*}}: tensor<?x3x8x8xf32>{{.*}}) -> (tensor<?x8x4x4xf32>, tensor<?x128xf32>)
func.func @chain(%arg0: tensor<?x3x8x8xf32>) -> (tensor<?x?x?x?xf32>, tensor<?x?xf32>) {
  %none = top.None
  %w = top.Weight : () -> tensor<8x3x3x3xf32>
  // CHECK: top.Input {{.*}} -> tensor<?x3x8x8xf32>
  %0 = top.Input %arg0 : (tensor<?x3x8x8xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Conv {{.*}} -> tensor<?x8x8x8xf32>
  %1 = top.Conv %0, %w, %none {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<?x?x?x?xf32>, tensor<8x3x3x3xf32>, none) -> tensor<?x?x?x?xf32>
  // CHECK: top.Relu {{.*}} -> tensor<?x8x8x8xf32>
  %2 = top.Relu %1 : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.MaxPool {{.*}} -> tensor<?x8x4x4xf32>
  %3 = top.MaxPool %2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: top.Reshape {{.*}} -> tensor<?x128xf32>
  %4 = top.Reshape %3 {shape = array<i64: -1, 128>} : (tensor<?x?x?x?xf32>) -> tensor<?x?xf32>
  // CHECK: return %{{.*}}, %{{.*}} : tensor<?x8x4x4xf32>, tensor<?x128xf32>
  return %3, %4 : tensor<?x?x?x?xf32>, tensor<?x?xf32>
}
