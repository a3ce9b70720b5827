//===- TopInterfaces.td - Interfaces of Top ops -----------*- tablegen -*-===//

#ifndef TPUC_TOP_INTERFACES
#define TPUC_TOP_INTERFACES

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::tpuc::top";
  let description = [{
    Computes result shapes from operand shapes. Unknown result dims are
    filled in; a known dim that disagrees with the inferred one is an error
    reported on the op.
  }];
  let methods = [
    InterfaceMethod<"Infers and sets or checks the result shapes.",
      "::mlir::LogicalResult", "inferShapes", (ins), [{}],
      [{ return ::tpuc::top::inferSameShapeAsInput($_op); }]>,
  ];
}

def FlopsOpInterface : OpInterface<"FlopsOpInterface"> {
  let cppNamespace = "::tpuc::top";
  let description = [{
    Number of floating point operations of one execution (a multiply-add
    counts as two).
  }];
  let methods = [
    InterfaceMethod<"Returns the FLOPs of the op.", "int64_t", "getFLOPs",
      (ins), [{}],
      [{ return ::tpuc::top::getResultElementCount($_op); }]>,
  ];
}

#endif // TPUC_TOP_INTERFACES
