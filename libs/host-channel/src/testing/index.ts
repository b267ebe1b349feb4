// Test helpers other projects' tests use (a real sshd on loopback, the channel contract).
export { haveSshd, startTestSshd, type TestSshd } from './sshd';
