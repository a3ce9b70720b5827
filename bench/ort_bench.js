#!/usr/bin/env node
// Times onnxruntime's session.run alone (after the session is created and one
// warm-up run) and prints the median, minimum and maximum in milliseconds:
//   node ort_bench.js model.onnx in.npz [--runs N] [--threads N]
'use strict';
const path = require('path');
const {readNpz} = require(
    path.join(__dirname, '..', 'tools', 'ort_runner', 'npz'));

function fail(msg) {
  process.stderr.write(`ort_bench: error: ${msg}\n`);
  process.exit(1);
}

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  fail('onnxruntime-node is not installed (run scripts/install-ort.sh)');
}

async function main() {
  const args = process.argv.slice(2);
  const pos = [];
  let runs = 10;
  let threads = 2;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else if (args[i] === '--threads') threads = Number(args[++i]);
    else pos.push(args[i]);
  }
  if (pos.length !== 2 || !(runs >= 1) || !(threads >= 1))
    fail('usage: ort_bench.js model.onnx in.npz [--runs N] [--threads N]');
  const [model, input] = pos;
  const session = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all', intraOpNumThreads: threads,
    interOpNumThreads: 1});
  const arrays = readNpz(input);
  const feeds = {};
  for (const name of session.inputNames) {
    const a = arrays[name];
    if (!a) fail(`${input}: no tensor for model input '${name}'`);
    feeds[name] = new ort.Tensor('float32', Float32Array.from(a.data, Number),
                                 a.shape);
  }
  await session.run(feeds); // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  console.log(`median ${median.toFixed(2)} ms, min ${times[0].toFixed(2)} ms, ` +
              `max ${times[n - 1].toFixed(2)} ms over ${n} runs`);
}

main().catch((e) => fail(e.message.split('\n')[0]));
