// RUN: tpuc-opt %s -split-input-file -verify-diagnostics

// One case per verifier error of the Top ops and per module attribute
// check of the dialect.

// top.Input

func.func @input_resize_dims_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Input' op resize_dims must have 2 entries (height, width), got 3}}
  %0 = top.Input %a {resize_dims = array<i64: 1, 2, 3>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @input_resize_dims_entries_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Input' op resize_dims entries must be positive, got [0, 4]}}
  %0 = top.Input %a {resize_dims = array<i64: 0, 4>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @input_keep_aspect_ratio_requires_resize_dims(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Input' op keep_aspect_ratio requires resize_dims}}
  %0 = top.Input %a {keep_aspect_ratio = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @input_mean_and_scale(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Input' op mean and scale must have the same length, got 2 and 1}}
  %0 = top.Input %a {mean = array<f64: 1.0, 2.0>, scale = array<f64: 1.0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @input_channel_format_nchw_needs(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'top.Input' op channel_format 'nchw' needs an input of rank >= 3, got rank 2}}
  %0 = top.Input %a {channel_format = "nchw"} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @input_mean_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Input' op mean must have 4 entries (one per channel), got 3}}
  %0 = top.Input %a {channel_format = "nchw", mean = array<f64: 1.0, 2.0, 3.0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @input_scale_must_have(%a: tensor<1x8x8x3xf32>) {
  // expected-error @+1 {{'top.Input' op scale must have 3 entries (one per channel), got 1}}
  %0 = top.Input %a {channel_format = "nhwc", scale = array<f64: 1.0>} : (tensor<1x8x8x3xf32>) -> tensor<1x8x8x3xf32>
  return
}

// -----

func.func @input_pixel_format_bgr_needs(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Input' op pixel_format 'bgr' needs 3 channels, got 4}}
  %0 = top.Input %a {channel_format = "nchw", pixel_format = "bgr"} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Weight

func.func @weight_result_must_have() {
  // expected-error @+1 {{'top.Weight' op result must have a static shape, got [?,3]}}
  %0 = top.Weight : () -> tensor<?x3xf32>
  return
}

// -----

func.func @weight_value_has_shape() {
  // expected-error @+1 {{'top.Weight' op value has shape [2,3] but the result has shape [3,2]}}
  %0 = top.Weight {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<3x2xf32>
  return
}

// -----

// top.Conv

func.func @conv_input_must_have(%a: tensor<1x4x8x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op input must have rank 3 (1-D) or 4 (2-D) for a convolution, got rank 5}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_kernel_shape_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op kernel_shape must have 2 entries for a 2-D convolution, got 1}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_strides_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op strides must have 2 entries for a 2-D convolution, got 3}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_pads_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op pads must have 4 entries for a 2-D convolution, got 2}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_dilations_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op dilations must have 2 entries for a 2-D convolution, got 1}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_kernel_shape_entries_must(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x0x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op kernel_shape entries must be positive, got [0, 3]}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 0, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x0x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_strides_entries_must(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op strides entries must be positive, got [1, 0]}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 0>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_pads_entries_must(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op pads entries must be non-negative, got [1, -1, 1, 1]}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, -1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_dilations_entries_must(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op dilations entries must be positive, got [0, 1]}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_filter_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op filter must have rank 4 like the input, got rank 3}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_filter_spatial_dims(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x5x5xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op filter spatial dims [5,5] differ from kernel_shape [3, 3]}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x5x5xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_group_must_be(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op group must be positive, got 0}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_input_channels_must(%a: tensor<1x4x8x8xf32>, %w: tensor<8x1x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op input channels (4) must be divisible by group (3)}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<8x1x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_filter_dim_must(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op filter dim 1 must be input channels / group = 2, got 4}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_output_channels_filter(%a: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>, %b: none) {
  // expected-error @+1 {{'top.Conv' op output channels (filter dim 0 = 6) must be divisible by group (4)}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>, none) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @conv_bias_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'top.Conv' op bias must have 8 elements (one per output channel), got 4}}
  %0 = top.Conv %a, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

// top.Deconv

func.func @deconv_input_must_have(%a: tensor<1x4xf32>, %w: tensor<4x2x2x2xf32>, %b: none) {
  // expected-error @+1 {{'top.Deconv' op input must have rank 3 (1-D) or 4 (2-D) for a transposed convolution, got rank 2}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4xf32>, tensor<4x2x2x2xf32>, none) -> tensor<1x2x16x16xf32>
  return
}

// -----

func.func @deconv_filter_dim_must(%a: tensor<1x4x8x8xf32>, %w: tensor<3x2x2x2xf32>, %b: none) {
  // expected-error @+1 {{'top.Deconv' op filter dim 0 must equal the input channels (4), got 3}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<3x2x2x2xf32>, none) -> tensor<1x2x16x16xf32>
  return
}

// -----

func.func @deconv_input_channels_must(%a: tensor<1x4x8x8xf32>, %w: tensor<4x2x2x2xf32>, %b: none) {
  // expected-error @+1 {{'top.Deconv' op input channels (4) must be divisible by group (3)}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>, none) -> tensor<1x2x16x16xf32>
  return
}

// -----

func.func @deconv_output_padding_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<4x2x2x2xf32>, %b: none) {
  // expected-error @+1 {{'top.Deconv' op output_padding must have 2 entries (one per spatial dim), got 1}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>, none) -> tensor<1x2x16x16xf32>
  return
}

// -----

func.func @deconv_output_padding_entries_must(%a: tensor<1x4x8x8xf32>, %w: tensor<4x2x2x2xf32>, %b: none) {
  // expected-error @+1 {{'top.Deconv' op output_padding entries must be non-negative, got [-1, 0]}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: -1, 0>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>, none) -> tensor<1x2x16x16xf32>
  return
}

// -----

func.func @deconv_output_padding_must_be(%a: tensor<1x4x8x8xf32>, %w: tensor<4x2x2x2xf32>, %b: none) {
  // expected-error @+1 {{'top.Deconv' op output_padding must be smaller than the stride or dilation of its axis, got 2 on spatial axis 1 with stride 2 and dilation 1}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 2>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>, none) -> tensor<1x2x16x16xf32>
  return
}

// -----

func.func @deconv_bias_must_have(%a: tensor<1x4x8x8xf32>, %w: tensor<4x2x2x2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'top.Deconv' op bias must have 4 elements (one per output channel), got 2}}
  %0 = top.Deconv %a, %w, %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>, tensor<2xf32>) -> tensor<1x4x16x16xf32>
  return
}

// -----

// top.MaxPool / top.AvgPool

func.func @maxpool_pads_must_have(%a: tensor<1x4x8xf32>) {
  // expected-error @+1 {{'top.MaxPool' op pads must have 2 entries for a 1-D pooling, got 4}}
  %0 = top.MaxPool %a {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8xf32>) -> tensor<1x4x4xf32>
  return
}

// -----

func.func @avgpool_pads_must_be(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.AvgPool' op pads must be smaller than the kernel, got pad 2 for kernel 2 on spatial axis 1}}
  %0 = top.AvgPool %a {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 2, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x5xf32>
  return
}

// -----

func.func @maxpool_dilations_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.MaxPool' op dilations must have 2 entries for a 2-D pooling, got 1}}
  %0 = top.MaxPool %a {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @maxpool_dilations_entries_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.MaxPool' op dilations entries must be positive, got [1, 0]}}
  %0 = top.MaxPool %a {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

// top.MaxPoolWithIndices

func.func @maxpoolwithindices_input_must_have(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'top.MaxPoolWithIndices' op input must have rank 3 (1-D) or 4 (2-D) for a pooling, got rank 2}}
  %0:2 = top.MaxPoolWithIndices %a {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 0>} : (tensor<4x8xf32>) -> (tensor<4x4xf32>, tensor<4x4xi64>)
  return
}

// -----

func.func @maxpoolwithindices_pads_must_be(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.MaxPoolWithIndices' op pads must be smaller than the kernel, got pad 3 for kernel 3 on spatial axis 0}}
  %0:2 = top.MaxPoolWithIndices %a {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 3, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> (tensor<1x4x9x6xf32>, tensor<1x4x9x6xi64>)
  return
}

// -----

// top.AdaptiveAvgPool

func.func @adaptiveavgpool_input_must_have(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{'top.AdaptiveAvgPool' op input must have rank >= 3 (N, C, spatial dims), got rank 2}}
  %0 = top.AdaptiveAvgPool %a {output_size = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @adaptiveavgpool_output_size_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.AdaptiveAvgPool' op output_size must have 2 entries (one per spatial dim), got 1}}
  %0 = top.AdaptiveAvgPool %a {output_size = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x2xf32>
  return
}

// -----

func.func @adaptiveavgpool_output_size_entries_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.AdaptiveAvgPool' op output_size entries must be positive, got [2, 0]}}
  %0 = top.AdaptiveAvgPool %a {output_size = array<i64: 2, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x2x0xf32>
  return
}

// -----

// top.InstanceNorm

func.func @instancenorm_needs_spatial_dims(%a: tensor<2x4xf32>, %n: none) {
  // expected-error @+1 {{'top.InstanceNorm' op input must have rank >= 3 (channels, then spatial dims), got rank 2}}
  %0 = top.InstanceNorm %a, %n, %n : (tensor<2x4xf32>, none, none) -> tensor<2x4xf32>
  return
}

// -----

func.func @instancenorm_weight_per_channel(%a: tensor<1x4x8x8xf32>, %w: tensor<3xf32>, %n: none) {
  // expected-error @+1 {{'top.InstanceNorm' op weight must have 4 elements (the input's channel count), got 3}}
  %0 = top.InstanceNorm %a, %w, %n : (tensor<1x4x8x8xf32>, tensor<3xf32>, none) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.BatchNorm

func.func @batchnorm_input_must_have(%a: tensor<4xf32>, %m: tensor<4xf32>, %n: none) {
  // expected-error @+1 {{'top.BatchNorm' op input must have rank >= 2 (channels are dim 1), got rank 1}}
  %0 = top.BatchNorm %a, %m, %m, %n, %n : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, none, none) -> tensor<4xf32>
  return
}

// -----

func.func @batchnorm_mean_must_have(%a: tensor<1x4x8x8xf32>, %m: tensor<3xf32>, %v: tensor<4xf32>, %n: none) {
  // expected-error @+1 {{'top.BatchNorm' op mean must have 4 elements (the input's channel count), got 3}}
  %0 = top.BatchNorm %a, %m, %v, %n, %n : (tensor<1x4x8x8xf32>, tensor<3xf32>, tensor<4xf32>, none, none) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batchnorm_gamma_must_have(%a: tensor<1x4x8x8xf32>, %m: tensor<4xf32>, %g: tensor<1x8xf32>, %n: none) {
  // expected-error @+1 {{'top.BatchNorm' op gamma must have 4 elements (the input's channel count), got 8}}
  %0 = top.BatchNorm %a, %m, %m, %g, %n : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1x8xf32>, none) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batchnorm_epsilon_must_be(%a: tensor<1x4x8x8xf32>, %m: tensor<4xf32>, %n: none) {
  // expected-error @+1 {{'top.BatchNorm' op epsilon must be non-negative, got -1}}
  %0 = top.BatchNorm %a, %m, %m, %n, %n {epsilon = -1.0 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, none, none) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.LayerNorm

func.func @layernorm_axis_is_out(%a: tensor<1x4x8x8xf32>, %n: none) {
  // expected-error @+1 {{'top.LayerNorm' op axis 4 is out of range for rank 4}}
  %0 = top.LayerNorm %a, %n, %n {axis = 4 : i64} : (tensor<1x4x8x8xf32>, none, none) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @layernorm_weight_of_shape(%a: tensor<1x4x8x8xf32>, %w: tensor<4xf32>, %n: none) {
  // expected-error @+1 {{'top.LayerNorm' op weight of shape [4] does not broadcast to the normalized shape [8,8]}}
  %0 = top.LayerNorm %a, %w, %n {axis = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, none) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Softmax

func.func @softmax_axis_is_out(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Softmax' op axis -5 is out of range for rank 4}}
  %0 = top.Softmax %a {axis = -5 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Clip

func.func @clip_min_must_not(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Clip' op min (6) must not exceed max (0)}}
  %0 = top.Clip %a {min = 6.0 : f64, max = 0.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.PowTensor

func.func @powtensor_cannot_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'top.PowTensor' op cannot broadcast shapes [2,3] and [4]}}
  %0 = top.PowTensor %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @powtensor_result_element_type_must(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'top.PowTensor' op result element type must be a float or an integer wider than 1 bit, got 'i1'}}
  %0 = top.PowTensor %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  return
}

// -----

// top.Arg

func.func @arg_axis_out_of_range(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Arg' op axis -5 is out of range for rank 4}}
  %0 = top.Arg %a {axis = -5 : i64, mode = "ArgMax"} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x1xf32>
  return
}

// -----

func.func @arg_unknown_mode(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Arg' op attribute 'mode' failed to satisfy constraint: string, one of ArgMax, ArgMin}}
  %0 = top.Arg %a {axis = 1 : i64, mode = "ArgMid"} : (tensor<1x4x8x8xf32>) -> tensor<1x1x8x8xf32>
  return
}

// -----

// top.Reduce

func.func @reduce_axes_must_not(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Reduce' op axes must not be empty}}
  %0 = top.Reduce %a {axes = array<i64>, mode = "ReduceSum"} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @reduce_axis_is_out(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Reduce' op axis 4 is out of range for rank 4}}
  %0 = top.Reduce %a {axes = array<i64: 4>, mode = "ReduceSum"} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @reduce_axes_contain_dim(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Reduce' op axes contain dim 1 twice}}
  %0 = top.Reduce %a {axes = array<i64: 1, -3>, mode = "ReduceMax"} : (tensor<1x4x8x8xf32>) -> tensor<1x1x8x8xf32>
  return
}

// -----

// top.Concat

func.func @concat_needs_at_least() {
  // expected-error @+1 {{'top.Concat' op needs at least one input}}
  %0 = top.Concat : () -> tensor<1xf32>
  return
}

// -----

func.func @concat_axis_is_out(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Concat' op axis 4 is out of range for rank 4}}
  %0 = top.Concat %a {axis = 4 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @concat_input_has_rank(%a: tensor<1x4x8x8xf32>, %b: tensor<1x4x8xf32>) {
  // expected-error @+1 {{'top.Concat' op input 1 has rank 3, but input 0 has rank 4}}
  %0 = top.Concat %a, %b : (tensor<1x4x8x8xf32>, tensor<1x4x8xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @concat_input_has_size(%a: tensor<1x4x8x8xf32>, %b: tensor<1x2x8x7xf32>) {
  // expected-error @+1 {{'top.Concat' op input 1 has size 7 in dim 3, but input 0 has 8 (only the axis 1 may differ)}}
  %0 = top.Concat %a, %b : (tensor<1x4x8x8xf32>, tensor<1x2x8x7xf32>) -> tensor<1x6x8x8xf32>
  return
}

// -----

// top.Split

func.func @split_needs_at_least(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Split' op needs at least one result}}
  top.Split %a {axis = 1 : i64, split_size = array<i64>} : (tensor<1x4x8x8xf32>) -> ()
  return
}

// -----

func.func @split_split_size_has_entries(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Split' op split_size has 3 entries but the op has 2 results}}
  %0:2 = top.Split %a {axis = 1 : i64, split_size = array<i64: 1, 1, 2>} : (tensor<1x4x8x8xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x3x8x8xf32>)
  return
}

// -----

func.func @split_split_size_entries_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Split' op split_size entries must be positive, got [4, 0]}}
  %0:2 = top.Split %a {axis = 1 : i64, split_size = array<i64: 4, 0>} : (tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x0x8x8xf32>)
  return
}

// -----

func.func @split_split_size_sums_to(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Split' op split_size sums to 3 but input dim 1 has size 4}}
  %0:2 = top.Split %a {axis = 1 : i64, split_size = array<i64: 1, 2>} : (tensor<1x4x8x8xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x2x8x8xf32>)
  return
}

// -----

func.func @split_axis_is_out(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Split' op axis -5 is out of range for rank 4}}
  %0:2 = top.Split %a {axis = -5 : i64, split_size = array<i64: 1, 3>} : (tensor<1x4x8x8xf32>) -> (tensor<1x1x8x8xf32>, tensor<1x3x8x8xf32>)
  return
}

// -----

// top.Slice

func.func @slice_starts_ends_steps(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Slice' op starts, ends, steps and axes must have the same length, got 2, 2, 1 and 2}}
  %0 = top.Slice %a {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, steps = array<i64: 1>, axes = array<i64: 2, 3>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @slice_steps_must_be(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Slice' op steps must be non-zero, got [0]}}
  %0 = top.Slice %a {starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 0>, axes = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x8xf32>
  return
}

// -----

func.func @slice_axes_contain_dim(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Slice' op axes contain dim 3 twice}}
  %0 = top.Slice %a {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, steps = array<i64: 1, 1>, axes = array<i64: 3, -1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x1xf32>
  return
}

// -----

// top.Permute

func.func @permute_order_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Permute' op order must have 4 entries (the input rank), got 3}}
  %0 = top.Permute %a {order = array<i64: 0, 2, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @permute_order_is_not(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Permute' op order [0, 2, 2, 1] is not a permutation of [0, 4)}}
  %0 = top.Permute %a {order = array<i64: 0, 2, 2, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Tile

func.func @tile_repeats_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Tile' op repeats must have 4 entries (one per input dim), got 2}}
  %0 = top.Tile %a {repeats = array<i64: 1, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @tile_repeats_entries_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Tile' op repeats entries must be positive, got [1, 0, 1, 1]}}
  %0 = top.Tile %a {repeats = array<i64: 1, 0, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Pad

func.func @pad_paddings_must_have(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Pad' op paddings must have 8 entries (begin and end pads of each of the 4 dims), got 4}}
  %0 = top.Pad %a {paddings = array<i64: 0, 0, 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @pad_reflect_padding_of(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Pad' op reflect padding of dim 3 must be smaller than its size 8, got 8}}
  %0 = top.Pad %a {paddings = array<i64: 0, 0, 0, 0, 0, 0, 0, 8>, mode = "reflect"} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

// top.Upsample

func.func @upsample_input_must_have(%a: tensor<8xf32>) {
  // expected-error @+1 {{'top.Upsample' op input must have rank >= 2 (the last two dims are scaled), got rank 1}}
  %0 = top.Upsample %a {scale_h = 2 : i64, scale_w = 2 : i64} : (tensor<8xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @upsample_scales_must_be(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Upsample' op scales must be positive, got scale_h = 2 and scale_w = 0}}
  %0 = top.Upsample %a {scale_h = 2 : i64, scale_w = 0 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Interp

func.func @interp_input_must_have(%a: tensor<8xf32>) {
  // expected-error @+1 {{'top.Interp' op input must have rank >= 2 (the last two dims are resized), got rank 1}}
  %0 = top.Interp %a {mode = "nearest", coord_mode = "asymmetric", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<8xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @interp_scales_must_be(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Interp' op scales must be positive, got scale_h = -2 and scale_w = 2}}
  %0 = top.Interp %a {mode = "linear", coord_mode = "half_pixel", scale_h = -2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @interp_nearest_mode_applies(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Interp' op nearest_mode applies to mode 'nearest' only, got mode 'linear'}}
  %0 = top.Interp %a {mode = "linear", coord_mode = "half_pixel", nearest_mode = "floor", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x16x16xf32>
  return
}

// -----

func.func @interp_nearest_mode_must_be(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Interp' op attribute 'nearest_mode' failed to satisfy constraint: string, one of round_prefer_floor, round_prefer_ceil, floor, ceil}}
  %0 = top.Interp %a {mode = "nearest", coord_mode = "half_pixel", nearest_mode = "round", scale_h = 2.0 : f64, scale_w = 2.0 : f64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x16x16xf32>
  return
}

// -----

// top.Depth2Space

func.func @depth2space_input_must_have(%a: tensor<4x8x8xf32>) {
  // expected-error @+1 {{'top.Depth2Space' op input must have rank 4 (N, C, H, W), got rank 3}}
  %0 = top.Depth2Space %a {block_h = 2 : i64, block_w = 2 : i64} : (tensor<4x8x8xf32>) -> tensor<1x16x16xf32>
  return
}

// -----

func.func @depth2space_block_sizes_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Depth2Space' op block sizes must be positive, got block_h = 0 and block_w = 2}}
  %0 = top.Depth2Space %a {block_h = 0 : i64, block_w = 2 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @depth2space_input_channels_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Depth2Space' op input channels (4) must be divisible by block_h * block_w (8)}}
  %0 = top.Depth2Space %a {block_h = 2 : i64, block_w = 4 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @depth2space_input_height_must(%a: tensor<1x4x7x8xf32>) {
  // expected-error @+1 {{'top.Depth2Space' op input height (7) must be divisible by block_h (2)}}
  %0 = top.Depth2Space %a {block_h = 2 : i64, block_w = 2 : i64, is_inversed = true} : (tensor<1x4x7x8xf32>) -> tensor<1x16x3x4xf32>
  return
}

// -----

func.func @depth2space_input_width_must(%a: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'top.Depth2Space' op input width (8) must be divisible by block_w (3)}}
  %0 = top.Depth2Space %a {block_h = 2 : i64, block_w = 3 : i64, is_inversed = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// top.Gather

func.func @gather_axis_is_out(%a: tensor<1x4x8x8xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'top.Gather' op axis -5 is out of range for rank 4}}
  %0 = top.Gather %a, %i {axis = -5 : i64} : (tensor<1x4x8x8xf32>, tensor<2xi64>) -> tensor<1x4x8x8xf32>
  return
}

// -----

// Module attributes

// expected-error @+1 {{unknown state 'TOP_FP32'}}
module attributes {top.state = "TOP_FP32"} {
}

// -----

// expected-error @+1 {{unknown chip 'bm1686'}}
module attributes {top.chip = "bm1686"} {
}
