//===- model_eval.cpp - Task accuracy of a model at any stage -------------===//
//
//   model_eval --model STAGE [--compare STAGE] --dataset DIR
//       [--mlir top.mlir] [--processor CHIP [--calibration_table T]
//        [--quantize_table Q] [--asymmetric]]
//       [--task detect] --postprocess yolov5|yolov8|yolo11|none
//         [--labels DIR] [--conf 0.001] [--iou 0.65] [--max_det 300]
//         [--anchors A] [--reg_max 16] [--single_label] [--agnostic_nms]
//       [--task classify] [--label_file FILE]
//       [--class_names FILE] [--max_images N] [--per_class]
//       [--bootstrap 1000]
//
// A STAGE is an .onnx file (run by onnxruntime), a Top MLIR (the float
// interpreter), a Tpu MLIR from model_deploy, or INT8/BF16/F16/F32: the Top
// MLIR lowered in-process for --processor exactly as model_deploy lowers it.
// Every image of the dataset is preprocessed as the model's `top.Input`
// says, run through each stage, decoded (detection) and scored against its
// labels: mAP@.5, mAP@.75 and mAP@.5:.95 (COCO-style), or top-1 and top-5.
// With --compare both stages see the same images and the delta is printed,
// with its 95 % interval from a paired bootstrap over the images.
// Nothing is written; progress and warnings go to stderr, results to stdout.
//
// This file holds main; ModelEval.h declares the rest: the flags
// (Options.cpp), the run over the images (Evaluator.cpp) and the printed
// results (Report.cpp).
//
//===----------------------------------------------------------------------===//

#include "ModelEval.h"

#include "tpuc/Support/ToolSupport.h"

#include "llvm/Support/InitLLVM.h"

#include <csignal>

using namespace llvm;
using namespace tpuc::eval;
using tpuc::reportError;

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // A dead onnxruntime process must show up as an error, not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  if (!tpuc::parseToolCommandLine(
          argc, argv, kTool,
          "Measures detection mAP or classification accuracy of a model at any "
          "stage\n",
          category))
    return 1;
  auto opts = parseOptions();
  if (!opts)
    return reportError(kTool, toString(opts.takeError()));
  return Evaluator(std::move(*opts)).run();
}
