// Test-only helpers shared by the services' specs.
export { spawnService, waitForOutput, type SpawnedService } from './spawn-service';
