export interface WorkspaceGeneratorSchema {
  skipFormat?: boolean;
}
