export interface VmGeneratorSchema {
  name: string;
  template: string;
  bridge: string;
  id?: number;
  file?: string;
}
