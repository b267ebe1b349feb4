export interface InfraGeneratorSchema {
  skipFormat?: boolean;
}
