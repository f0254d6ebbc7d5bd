import * as fs from 'fs';
import type { MessagePort, Worker } from 'worker_threads';

/*
 * Writes MlApp's output files. Creating a file costs little CPU but can cost much time on a disk
 * with an I/O budget (cloud VMs, CI runners: 0.6 ms per file measured on this project's VM, over a
 * second for 2,000 files). After the first few files, the writes move to a worker thread, which
 * creates and fills each file while the main thread renders the next ones; `finish()` blocks until
 * every file is on disk and rethrows the first failure. Synthesis stays synchronous.
 */

/** Files written in the calling thread before the rest go to a worker (a worker costs tens of ms to start). */
const SYNC_FILES = 32;
/** Chunks posted to the worker and not yet written before the renderer waits (bounds memory). */
const MAX_IN_FLIGHT = 256;

/** The worker: opens, appends to and closes files in message order; counts done messages in `state[0]`. */
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const fs = require('fs');
const { state, port } = workerData;
let fd;
port.on('message', (m) => {
  try {
    if (Atomics.load(state, 1) === 0) {
      if (m.open !== undefined) fd = fs.openSync(m.open, 'w');
      if (m.text !== undefined) fs.writeSync(fd, m.text);
      if (m.close) { fs.closeSync(fd); fd = undefined; }
    }
  } catch (e) {
    if (fd !== undefined) try { fs.closeSync(fd); } catch {}
    fd = undefined;
    port.postMessage(String((e && e.message) || e));
    Atomics.store(state, 1, 1);
  }
  Atomics.add(state, 0, 1);
  Atomics.notify(state, 0);
});
`;

/** One file being written: pieces of text, then `end()`. */
export interface FileSink {
  write(text: string): void;
  end(): void;
}

/** Writes files in order, in the calling thread or, after the first few, on a worker thread. */
export class FileWriter {
  private files = 0;
  private worker?: { readonly thread: Worker; readonly port: MessagePort; readonly state: Int32Array };
  private posted = 0;

  /** Starts `file` (replacing it); its text is written in pieces through the sink. */
  public open(file: string): FileSink {
    this.files++;
    if (this.files > SYNC_FILES) this.worker ??= startWorker();
    return this.worker ? this.workerSink(file) : syncSink(file);
  }

  /** Blocks until every file is written; throws the first write error. Always stops the worker. */
  public finish(): void {
    const w = this.worker;
    if (!w) return;
    try {
      this.waitUntil(0);
    } finally {
      w.port.close();
      void w.thread.terminate();
      this.worker = undefined;
    }
  }

  private workerSink(file: string): FileSink {
    let opened = false;
    let batch = '';
    const post = (message: { open?: string; text?: string; close?: true }) => {
      this.waitUntil(MAX_IN_FLIGHT);
      this.worker!.port.postMessage(message);
      this.posted++;
    };
    return {
      write: (text) => {
        batch += text;
        if (batch.length < 1 << 16) return;
        post({ ...(opened ? {} : { open: file }), text: batch });
        opened = true;
        batch = '';
      },
      end: () => post({ ...(opened ? {} : { open: file }), text: batch, close: true }),
    };
  }

  /** Waits until at most `inFlight` posted messages are not yet handled; throws a failure the worker reported. */
  private waitUntil(inFlight: number): void {
    const { state, port } = this.worker!;
    for (;;) {
      if (Atomics.load(state, 1) !== 0) {
        const { receiveMessageOnPort } = loadWorkerThreads();
        const reported = receiveMessageOnPort(port)?.message;
        // The flag is set after the message is posted, so a set flag always has its message.
        throw new Error(`MlApp could not write a file: ${reported}`);
      }
      const done = Atomics.load(state, 0);
      if (this.posted - done <= inFlight) return;
      Atomics.wait(state, 0, done, 1000);
    }
  }
}

function syncSink(file: string): FileSink {
  const fd = fs.openSync(file, 'w');
  let batch = '';
  const flush = (close: boolean) => {
    try {
      if (batch) fs.writeSync(fd, batch);
      batch = '';
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    if (close) fs.closeSync(fd);
  };
  return {
    write: (text) => {
      batch += text;
      if (batch.length >= 1 << 16) flush(false);
    },
    end: () => flush(true),
  };
}

function startWorker(): FileWriter['worker'] {
  const { Worker, MessageChannel } = loadWorkerThreads();
  const state = new Int32Array(new SharedArrayBuffer(8)); // [messages handled, failed]
  const { port1, port2 } = new MessageChannel();
  const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { state, port: port2 }, transferList: [port2] });
  thread.unref();
  return { thread, port: port1, state };
}

// Loaded only by apps that write enough files to use a worker.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadWorkerThreads = () => require('worker_threads') as typeof import('worker_threads');
