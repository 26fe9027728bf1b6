namespace NFStream.Tests.Export;
