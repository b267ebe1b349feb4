// The schema half of the PVE simulator: load the official Proxmox VE API schema, match request
// paths to its routes and validate requests the way a PVE host does.

export { ApiSchema, PARAMETER_VERIFICATION_FAILED, relativePath } from './api-schema';
export { NOT_IN_SCHEMA, parsePropertyString, PropertyStringError, propertyStringFormatOf } from './check';
export { knownFormats } from './formats';
export {
  defaultSchemaPath,
  extractSchemaArrayText,
  loadApiSchema,
  parseApiSchema,
  SCHEMA_FILE_NAME,
  SchemaLoadError,
  schemaLocation,
  type SchemaLocation,
} from './load';
export {
  type ApiNode,
  HTTP_METHODS,
  type HttpMethod,
  type MatchResult,
  type MethodInfo,
  type ParameterSchema,
  type Permissions,
  type PropertySchema,
  type PropertyStringFormat,
  type RawParamValue,
  type RequestParamValue,
  type Route,
  type TypedValue,
  type ValidationBadRequest,
  type ValidationNotImplemented,
  type ValidationOk,
  type ValidationResult,
} from './types';
