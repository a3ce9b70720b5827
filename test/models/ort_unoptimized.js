#!/usr/bin/env node
// Runs a model with onnxruntime with graph optimizations disabled on one
// thread: its distance to the optimized run (tools/ort_runner/ort_run.js)
// is onnxruntime's own float32 noise on that model, which bounds how close
// any other engine can be expected to come.
//   node ort_unoptimized.js model.onnx in.npz out.npz
'use strict';
const path = require('path');
const {readNpz, writeNpz} = require(
    path.join(__dirname, '..', '..', 'tools', 'ort_runner', 'npz'));
const ort = require('onnxruntime-node');

async function main() {
  const [model, input, output] = process.argv.slice(2);
  if (!output) throw new Error('usage: ort_unoptimized.js model in.npz out.npz');
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'disabled', intraOpNumThreads: 1,
    interOpNumThreads: 1});
  const arrays = readNpz(input);
  const feeds = {};
  for (const name of session.inputNames) {
    const a = arrays[name];
    if (!a) throw new Error(`${input}: no tensor for input '${name}'`);
    feeds[name] = new ort.Tensor('float32', Float32Array.from(a.data, Number),
                                 a.shape);
  }
  const results = await session.run(feeds);
  const out = {};
  for (const name of session.outputNames) {
    const f = Float32Array.from(results[name].data, Number);
    out[name] = {descr: '<f4', shape: results[name].dims,
                 bytes: Buffer.from(f.buffer, f.byteOffset, f.byteLength)};
  }
  writeNpz(output, out);
}

main().catch((e) => {
  process.stderr.write(`ort_unoptimized: error: ${e.message.split('\n')[0]}\n`);
  process.exit(1);
});
