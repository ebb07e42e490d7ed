package dlp_test

import (
	"context"
	"fmt"

	dlpapi "cloud.google.com/go/dlp/apiv2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/parley-dev/parley/mocks/dlp"
)

// An assistant de-identifies a customer's message before it goes to Dialogflow, with the official client.
func Example() {
	s, err := dlp.NewServer()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	c, err := dlpapi.NewClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	resp, err := c.DeidentifyContent(ctx, deidRequest("projects/demo", "Mi DNI es 12.345.678-Z y mi correo ana@example.com",
		[]string{"SPAIN_DNI_NUMBER", "EMAIL_ADDRESS"}, replaceWithInfoType))
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.GetItem().GetValue())
	fmt.Println(resp.GetOverview().GetTransformedBytes(), "bytes transformed")
	for _, e := range s.Journal().Events() {
		fmt.Println(e.Kind)
	}
	// Output:
	// Mi DNI es [SPAIN_DNI_NUMBER] y mi correo [EMAIL_ADDRESS]
	// 27 bytes transformed
	// deidentify
}
