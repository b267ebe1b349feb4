export interface PresetGeneratorSchema {
  /** The workspace name create-nx-workspace passes (the folder it made); init takes it from package.json. */
  name?: string;
  skipFormat?: boolean;
  skipInstall?: boolean;
}
