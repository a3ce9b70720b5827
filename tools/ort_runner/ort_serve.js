#!/usr/bin/env node
// One onnxruntime session for many runs (model_eval evaluates datasets):
//   node ort_serve.js model.onnx [--threads N] [--outputs a,b]
// Prints "ready" once the session is created; then, for every stdin line
// "IN.npz<TAB>OUT.npz", runs the model on IN (inputs by name, cast to the
// model's types) and writes OUT (the outputs as float32), printing "ok".
// Errors go to stderr as one line and end the process with status 1.
'use strict';
const readline = require('readline');
const common = require('./ort_common');

const fail = common.makeFail('ort_serve');
const ort = common.loadOrt(fail);

async function main() {
  const {positional, threads, outputs} =
      common.parseArgs(process.argv.slice(2));
  if (positional.length !== 1)
    fail('usage: ort_serve.js model.onnx [--threads N] [--outputs a,b]');
  const model = positional[0];
  // Idle onnxruntime threads would spin between requests and slow down
  // whatever runs in between (the other stage of model_eval).
  const noSpinning = {
    extra: {session: {intra_op: {allow_spinning: '0'},
                      inter_op: {allow_spinning: '0'}}},
  };
  const session =
      await common.createSession(ort, model, threads, noSpinning, fail);
  const fetches = outputs || session.outputNames;
  for (const name of fetches)
    if (!session.outputNames.includes(name))
      fail(`${model}: no output '${name}'`);
  process.stdout.write('ready\n');
  const lines = readline.createInterface({input: process.stdin});
  for await (const line of lines) {
    if (!line.trim()) continue;
    const [input, output] = line.split('\t');
    if (!output) fail(`bad request '${line}' (expected IN.npz<TAB>OUT.npz)`);
    await common.runNpz(ort, session, fetches, input, output, '', fail);
    process.stdout.write('ok\n');
  }
}

main();
