#!/usr/bin/env node
// Runs an ONNX model with onnxruntime (the reference engine of tpuc's tests):
//   node ort_run.js model.onnx in.npz out.npz [--threads N] [--outputs a,b]
// Inputs are matched by name and cast to the model's input types; outputs
// are written as float32 (bool and integer outputs converted by value).
'use strict';
const common = require('./ort_common');

const fail = common.makeFail('ort_run');
const ort = common.loadOrt(fail);

async function main() {
  const {positional, threads, outputs} =
      common.parseArgs(process.argv.slice(2));
  if (positional.length !== 3)
    fail('usage: ort_run.js model.onnx in.npz out.npz [--threads N] ' +
         '[--outputs a,b]');
  const [model, input, output] = positional;
  const session = await common.createSession(ort, model, threads, {}, fail);
  await common.runNpz(ort, session, outputs || session.outputNames, input,
                      output, `${model}: `, fail);
}

main();
