// libyaml, the YAML parser behind PyYAML and Yams, without Foundation.
#include <yaml.h>
