/**
 * The worker thread of `hrm data sudoku|maze|arc|custom` (see data-builders.ts): runs the build it is
 * given and posts back the exit code or the error.
 * @module
 */
import { parentPort, workerData } from 'worker_threads';
import { DataBuildRequest, runDataBuildInWorker } from './data-builders';

parentPort?.postMessage(runDataBuildInWorker(workerData as DataBuildRequest));
