// Command latentbench-encoder-clvae serves the clvae encoder of package vae.
package main

import (
	"github.com/latentbench/latentbench/plugins/encoders/vae"
	"github.com/latentbench/latentbench/sdk/serve"
)

func main() { serve.Encoder(vae.Plugin(vae.VariantCLVAE)) }
