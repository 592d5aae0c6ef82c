export {
  type ErrorBody,
  type FailureControls,
  type FailureResponse,
  failureControls,
  type RateLimit,
} from './failure-controls.js';
export {
  type AppResponse,
  type FakeHandler,
  type HttpFake,
  type LoggedRequest,
  startHttpFake,
} from './http-fake.js';
export { Recorder, type WaitOptions } from './recorder.js';
export * from './slack-fake.js';
export * from './smtp-capture.js';
export * from './teams-fake.js';
export * from './twilio-fake.js';
export * from './webhook-sink.js';
