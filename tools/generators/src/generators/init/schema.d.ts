export interface InitGeneratorSchema {
  skipFormat?: boolean;
  skipInstall?: boolean;
}
