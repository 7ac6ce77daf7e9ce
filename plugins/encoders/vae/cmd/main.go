// Command latentbench-encoder-vae serves the vae encoder of package vae.
package main

import (
	"github.com/latentbench/latentbench/plugins/encoders/vae"
	"github.com/latentbench/latentbench/sdk"
)

func main() { sdk.ServeEncoder(vae.Plugin(vae.VariantVAE)) }
